import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

/*
 * A minimal RFC 6455 client: text messages, ping/pong, close. Enough for the inspector protocol.
 * Why not the global WebSocket: Node 20 only has it behind --experimental-websocket, and re-executing
 * the CLI with a flag for one command costs a process and hides our argv; this is ~150 lines with no
 * dependency. Loopback only: the inspector must never be reached over a network.
 */

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

/**
 * The largest message (all of its frames) accepted. The inspector's replies to what attach asks are a few
 * KB; a larger one is not an inspector talking, and buffering it would grow without bound.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** The handshake's response head (status line and headers): an inspector's is ~150 bytes. */
export const MAX_HANDSHAKE_BYTES = 16 * 1024;

export interface WebSocketEvents {
  message: [string];
  close: [];
  error: [Error];
}

export class LoopbackWebSocket extends EventEmitter<WebSocketEvents> {
  /** Received bytes not yet decoded: kept as chunks, joined only once a whole frame is there. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The size of the frame at the front, once its header is in; null before. */
  private needed: number | null = null;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly maxMessageBytes: number,
  ) {
    super();
  }

  static connect(url: string, timeoutMs = 5000, maxMessageBytes = MAX_MESSAGE_BYTES): Promise<LoopbackWebSocket> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:') return Promise.reject(new Error(`not a ws: URL: ${url}`));
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
      return Promise.reject(new Error(`refusing a non-loopback inspector address: ${parsed.hostname}`));
    }
    const host = parsed.hostname === '[::1]' ? '::1' : parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
    const port = Number(parsed.port || 80);
    const key = randomBytes(16).toString('base64');
    const expectedAccept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => fail(new Error(`WebSocket handshake with ${host}:${port} timed out`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.write(
          `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      const onHandshakeData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) {
          if (head.length > MAX_HANDSHAKE_BYTES) fail(new Error(`WebSocket handshake with ${host}:${port}: no end of headers in ${MAX_HANDSHAKE_BYTES} bytes`));
          return;
        }
        socket.off('data', onHandshakeData);
        socket.off('error', fail);
        clearTimeout(timer);
        const [statusLine = '', ...headerLines] = head.subarray(0, end).toString('latin1').split('\r\n');
        const accept = headerLines
          .map((line) => /^sec-websocket-accept:\s*(.+)$/i.exec(line)?.[1]?.trim())
          .find((value) => value !== undefined);
        if (!/^HTTP\/1\.1 101\b/.test(statusLine) || accept !== expectedAccept) {
          socket.destroy();
          reject(new Error(`WebSocket handshake refused: ${statusLine}`));
          return;
        }
        const ws = new LoopbackWebSocket(socket, maxMessageBytes);
        socket.on('data', (data: Buffer) => ws.receive(data));
        socket.on('error', (error) => ws.emit('error', error));
        socket.on('close', () => ws.markClosed());
        resolve(ws);
        // Frames that came with the handshake wait until the caller has its listeners on (after the
        // promise's continuation); the socket waits too, so they keep their order.
        const rest = head.subarray(end + 4);
        if (rest.length > 0) {
          socket.pause();
          setImmediate(() => {
            ws.receive(rest);
            socket.resume();
          });
        }
      };
      socket.on('data', onHandshakeData);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(text: string): void {
    if (this.closed) throw new Error('WebSocket is closed');
    this.socket.write(encodeFrame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
  }

  close(): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]))); // 1000: normal closure
    this.socket.end();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close');
  }

  private receive(data: Buffer): void {
    if (this.closed) return;
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      if (this.needed === null) {
        this.needed = frameSize(this.chunks.length === 1 ? (this.chunks[0] as Buffer) : this.joined());
        if (this.needed === null) return;
        // Refused from its header (at most 14 bytes before the payload), before its payload is buffered.
        if (this.needed - 14 > this.maxMessageBytes - this.fragmentBytes) {
          this.fail(new Error(`the inspector sent a message over ${this.maxMessageBytes} bytes`));
          return;
        }
      }
      if (this.buffered < this.needed) return;
      const buffer = this.joined();
      const frame = decodeFrame(buffer);
      if (!frame) return; // cannot happen: `needed` bytes are a whole frame
      const rest = buffer.subarray(frame.size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = null;
      this.handleFrame(frame.fin, frame.opcode, frame.payload);
      if (this.closed) return;
    }
  }

  /** The buffered chunks as one buffer (kept as that one from then on). */
  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private fail(error: Error): void {
    // An 'error' with no listener would throw out of the socket's data handler.
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.chunks = [];
    this.buffered = 0;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.markClosed();
  }

  private handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE_TEXT:
      case OPCODE_CONTINUATION:
        if (this.fragmentBytes + payload.length > this.maxMessageBytes) {
          this.fail(new Error(`the inspector sent a message over ${this.maxMessageBytes} bytes`));
          return;
        }
        this.fragments.push(payload);
        this.fragmentBytes += payload.length;
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.fragmentBytes = 0;
          this.emit('message', text);
        }
        break;
      case OPCODE_PING:
        this.socket.write(encodeFrame(OPCODE_PONG, payload));
        break;
      case OPCODE_CLOSE:
        this.close();
        break;
      default:
        break; // binary and pong frames: the inspector sends none we need
    }
  }
}

/** A client frame: always masked (RFC 6455 §5.3). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  } else if (payload.length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) masked[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

/**
 * The size in bytes (header, mask, payload) of the frame at the front of `buffer`, once its header is
 * complete; null before. A 64-bit length past what a Number holds exactly reads as Infinity.
 */
export function frameSize(buffer: Buffer): number | null {
  if (buffer.length < 2) return null;
  const second = buffer[1] ?? 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    const big = buffer.readBigUInt64BE(2);
    length = big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big);
    offset = 10;
  }
  if ((second & 0x80) !== 0) offset += 4;
  return offset + length;
}

/** Parses one frame from the front of `buffer`, or null if it is not complete yet. */
export function decodeFrame(buffer: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | null {
  if (buffer.length < 2) return null;
  const first = buffer[0] ?? 0;
  const second = buffer[1] ?? 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const maskKey = masked ? buffer.subarray(offset, offset + 4) : null;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return null;
  let payload = buffer.subarray(offset, offset + length);
  if (maskKey) payload = Buffer.from(payload.map((byte, i) => byte ^ (maskKey[i % 4] ?? 0)));
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: offset + length };
}
