import { unlinkSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { MonitorEvent, MonitorSnapshot } from '../types.js';

/*
 * The control endpoint, served from the watchdog worker so it answers while the main thread is frozen.
 * A Unix socket readable by its owner only, NDJSON both ways:
 *   server → client on connect: {"type":"hello","pid","version","thresholdMs","mode"}
 *   client → server {"type":"snapshot"}  → server: {"type":"snapshot","snapshot":MonitorSnapshot}
 *   server → client: every block and lag event as it happens (the event log's objects)
 */

const MAX_CLIENTS = 16;
/** A client that reads nothing is dropped before its backlog can grow the worker's memory. */
const MAX_BACKLOG_BYTES = 1024 * 1024;
const MAX_REQUEST_BYTES = 64 * 1024;

export interface HelloMessage {
  type: 'hello';
  pid: number;
  version: string;
  thresholdMs: number;
  mode: MonitorSnapshot['mode'];
}

export interface ControlServerOptions {
  path: string;
  hello: () => HelloMessage;
  snapshot: () => MonitorSnapshot;
  /** Called when a client connects or goes away, with the number connected. */
  onClients?: (count: number) => void;
}

export interface ControlServer {
  readonly path: string;
  broadcast(event: MonitorEvent): void;
  /** Stops listening and removes the socket file at once (safe inside an exit handshake). */
  closeSync(): void;
}

/**
 * Binds inside a fresh 0700 directory, restricts the socket to 0600, then renames it into place, so
 * nobody else can connect in the moment between bind and chmod.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const clients = new Set<Socket>();
  const server = createServer((socket) => serveClient(socket, clients, options));
  server.maxConnections = MAX_CLIENTS;
  const finalPath = options.path;
  const stagingDir = await mkdtemp(join(dirname(finalPath), '.agent-lag-'));
  const stagingPath = join(stagingDir, basename(finalPath));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(stagingPath, resolve);
    });
    await chmod(stagingPath, 0o600);
    await removeStale(finalPath);
    await rename(stagingPath, finalPath);
  } catch (error) {
    closeQuietly(server);
    throw error;
  } finally {
    await rmdir(stagingDir).catch(() => undefined);
  }
  server.unref();
  let closed = false;
  return {
    path: finalPath,
    broadcast(event) {
      if (clients.size === 0) return;
      const line = `${JSON.stringify(event)}\n`;
      for (const client of clients) send(client, line);
    },
    closeSync() {
      if (closed) return;
      closed = true;
      for (const client of clients) client.destroy();
      clients.clear();
      closeQuietly(server);
      try {
        // eslint-disable-next-line @agent-lag/no-sync-fs -- runs in the watchdog thread, inside the exit handshake, where nothing async completes
        unlinkSync(finalPath);
      } catch {
        // Already removed.
      }
    },
  };
}

function serveClient(socket: Socket, clients: Set<Socket>, options: ControlServerOptions): void {
  clients.add(socket);
  options.onClients?.(clients.size);
  socket.setEncoding('utf8');
  socket.on('close', () => {
    clients.delete(socket);
    options.onClients?.(clients.size);
  });
  socket.on('error', () => socket.destroy());
  send(socket, `${JSON.stringify(options.hello())}\n`);
  let pending = '';
  socket.on('data', (chunk: string) => {
    pending += chunk;
    if (pending.length > MAX_REQUEST_BYTES) {
      socket.destroy();
      return;
    }
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') answer(socket, line, options);
      newline = pending.indexOf('\n');
    }
  });
}

function answer(socket: Socket, line: string, options: ControlServerOptions): void {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    send(socket, `${JSON.stringify({ type: 'error', message: 'not JSON' })}\n`);
    return;
  }
  const type = typeof request === 'object' && request !== null ? (request as { type?: unknown }).type : undefined;
  if (type === 'snapshot') {
    send(socket, `${JSON.stringify({ type: 'snapshot', snapshot: options.snapshot() })}\n`);
  } else {
    send(socket, `${JSON.stringify({ type: 'error', message: `unknown request type ${JSON.stringify(type ?? null)}` })}\n`);
  }
}

function send(socket: Socket, line: string): void {
  if (socket.destroyed) return;
  if (socket.writableLength > MAX_BACKLOG_BYTES) {
    socket.destroy();
    return;
  }
  socket.write(line);
}

/**
 * Socket files left by monitored processes that died by a signal (no exit handler ran): the one with
 * our own pid, and any whose pid is gone. Others' files in a shared temp dir are not ours to remove
 * (the sticky bit refuses anyway).
 */
async function removeStale(path: string): Promise<void> {
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^agent-lag-(\d+)\.sock$/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && isAlive(pid)) continue;
    // Not ours (sticky temp dir), or already gone: either way nothing to do.
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function closeQuietly(server: Server): void {
  try {
    server.close();
  } catch {
    // Not listening.
  }
}
