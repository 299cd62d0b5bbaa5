import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, frameSize, LoopbackWebSocket, MAX_HANDSHAKE_BYTES } from '../src/watch/attach/websocket.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A frame as a server sends it: never masked (RFC 6455 §5.1). */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([first, payload.length]), payload]);
  if (payload.length < 0x10000) {
    const header = Buffer.from([first, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

describe('encodeFrame and decodeFrame', () => {
  it('frames a client text message masked, with the 7-bit, 16-bit and 64-bit lengths at their edges', () => {
    for (const [length, headerBytes] of [
      [0, 2],
      [125, 2],
      [126, 4],
      [65_535, 4],
      [65_536, 10],
    ] as const) {
      const payload = Buffer.alloc(length, 'a');
      const frame = encodeFrame(0x1, payload);
      expect(frame[0]).toBe(0x81); // FIN, text
      expect((frame[1] ?? 0) & 0x80).toBe(0x80); // masked
      expect(frame.length).toBe(headerBytes + 4 + length);
      expect(frameSize(frame)).toBe(frame.length);
      const mask = frame.subarray(headerBytes, headerBytes + 4);
      // The payload on the wire is the text XOR the mask, byte by byte.
      for (let i = 0; i < Math.min(length, 8); i++) expect(frame[headerBytes + 4 + i]).toBe(0x61 ^ (mask[i % 4] ?? 0));
      const decoded = decodeFrame(frame);
      expect(decoded).toEqual({ fin: true, opcode: 0x1, payload, size: frame.length });
      // Any prefix is not a frame yet.
      expect(decodeFrame(frame.subarray(0, frame.length - 1))).toBeNull();
    }
  });

  it('reads a server frame (unmasked), its size from the header alone, and an absurd 64-bit length as Infinity', () => {
    const frame = serverFrame(0x1, Buffer.from('{"id":1,"result":{}}'));
    expect(decodeFrame(Buffer.concat([frame, Buffer.from([0x81])]))).toEqual({ fin: true, opcode: 1, payload: Buffer.from('{"id":1,"result":{}}'), size: 22 });
    expect(frameSize(frame.subarray(0, 1))).toBeNull();
    expect(frameSize(frame.subarray(0, 2))).toBe(22);
    expect(frameSize(Buffer.from([0x81, 126, 0x01]))).toBeNull();
    expect(frameSize(Buffer.from([0x81, 126, 0x01, 0x00]))).toBe(4 + 256);
    expect(frameSize(Buffer.from([0x81, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(Infinity);
  });
});

describe('LoopbackWebSocket against a loopback server', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  /** A WebSocket server of our own: answers the handshake (or `handshake` instead), then runs `talk`. */
  async function serve(talk: (socket: Socket) => void, handshake?: (socket: Socket) => void): Promise<string> {
    server = createServer((socket) => {
      let head = '';
      socket.on('error', () => undefined);
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        if (handshake) return handshake(socket);
        const key = /sec-websocket-key: (.+)\r\n/i.exec(head)?.[1] ?? '';
        const accept = createHash('sha1').update(key + GUID).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        talk(socket);
      };
      socket.on('data', onData);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/inspector`;
  }

  it('receives a message written a byte at a time, a fragmented one, and answers a ping with a pong', async () => {
    const fromClient: Buffer[] = [];
    const url = await serve((socket) => {
      socket.on('data', (chunk: Buffer) => fromClient.push(chunk));
      const whole = serverFrame(0x1, Buffer.from('{"id":1,"result":{"value":"é"}}'));
      let i = 0;
      const drip = setInterval(() => {
        if (i < whole.length) socket.write(whole.subarray(i, ++i));
        else {
          clearInterval(drip);
          socket.write(Buffer.concat([serverFrame(0x1, Buffer.from('{"part":'), false), serverFrame(0x9, Buffer.from('hi')), serverFrame(0x0, Buffer.from('"two"}'))]));
        }
      }, 1);
    });
    const ws = await LoopbackWebSocket.connect(url);
    const messages: string[] = [];
    ws.on('message', (text) => messages.push(text));
    for (const deadline = Date.now() + 10_000; messages.length < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(messages).toEqual(['{"id":1,"result":{"value":"é"}}', '{"part":"two"}']);
    // The pong: masked, as every client frame, with the ping's payload.
    for (const deadline = Date.now() + 10_000; fromClient.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(decodeFrame(Buffer.concat(fromClient))).toMatchObject({ fin: true, opcode: 0xa, payload: Buffer.from('hi') });
    ws.close();
    expect(ws.isClosed).toBe(true);
  });

  it('closes with an error on a message over its cap, without buffering it (a frame that claims 2^63 bytes too)', async () => {
    for (const frame of [serverFrame(0x1, Buffer.alloc(4096, 'x')), Buffer.from([0x81, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) {
      const url = await serve((socket) => socket.write(frame));
      const ws = await LoopbackWebSocket.connect(url, 5000, 1024);
      const errors: Error[] = [];
      ws.on('error', (error) => errors.push(error));
      // Not events.once: it rejects on the 'error' this test waits for.
      const closed = new Promise<void>((resolve) => ws.once('close', resolve));
      ws.on('message', () => expect.fail('an oversize message was delivered'));
      await closed;
      expect(errors.map((e) => e.message)).toEqual(['the inspector sent a message over 1024 bytes']);
      server?.close();
    }
  });

  it('refuses fragments that add up past the cap', async () => {
    const url = await serve((socket) => {
      for (let i = 0; i < 5; i++) socket.write(serverFrame(i === 0 ? 0x1 : 0x0, Buffer.alloc(300, 'x'), false));
    });
    const ws = await LoopbackWebSocket.connect(url, 5000, 1024);
    const errors: string[] = [];
    ws.on('error', (error) => errors.push(error.message));
    await new Promise<void>((resolve) => ws.once('close', resolve));
    expect(errors).toEqual(['the inspector sent a message over 1024 bytes']);
  });

  it('gives up on a handshake whose headers never end, and on a wrong accept key', async () => {
    const endless = await serve(
      () => undefined,
      (socket) => socket.write(`HTTP/1.1 101 Switching Protocols\r\nX-Filler: ${'f'.repeat(MAX_HANDSHAKE_BYTES * 2)}`),
    );
    await expect(LoopbackWebSocket.connect(endless)).rejects.toThrow(`no end of headers in ${MAX_HANDSHAKE_BYTES} bytes`);
    server?.close();
    const wrong = await serve(
      () => undefined,
      (socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: bm90IGl0\r\n\r\n'),
    );
    await expect(LoopbackWebSocket.connect(wrong)).rejects.toThrow('WebSocket handshake refused: HTTP/1.1 101 Switching Protocols');
  });

  it('refuses an address that is not loopback', async () => {
    await expect(LoopbackWebSocket.connect('ws://192.0.2.1:9229/x')).rejects.toThrow('refusing a non-loopback inspector address: 192.0.2.1');
    await expect(LoopbackWebSocket.connect('wss://127.0.0.1:9229/x')).rejects.toThrow('not a ws: URL');
  });
});
