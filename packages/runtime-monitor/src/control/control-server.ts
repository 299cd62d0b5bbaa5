import { unlinkSync } from 'node:fs';
import { chmod, lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { HelloMessage, MonitorEvent, MonitorSnapshot } from '../types.js';
import { MAX_EVENT_READERS, writeEventLine } from './event-stream.js';
import { currentUid, prepareControlSocketDir, removeControlSocketDirIfEmpty, UnsafeSocketDirError, type ControlSocketDir } from './socket-path.js';

/*
 * The control endpoint, served from the watchdog worker so it answers while the main thread is frozen.
 * A Unix socket readable by its owner only, NDJSON both ways:
 *   server → client on connect: {"type":"hello","pid","version","thresholdMs","mode"}
 *   client → server {"type":"snapshot"}  → server: {"type":"snapshot","snapshot":MonitorSnapshot}
 *   server → client: every block and lag event as it happens (the event log's objects)
 */

const MAX_REQUEST_BYTES = 64 * 1024;

export type { HelloMessage };

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
 * Binds directly in the per-user socket directory (checked first: ours, not writable by others; see
 * socket-path.ts), so no other user can take the name or connect before the chmod to 0600. A directory
 * that fails the check is refused: the caller warns once and runs without a socket.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const clients = new Set<Socket>();
  const server = createServer((socket) => serveClient(socket, clients, options));
  server.maxConnections = MAX_EVENT_READERS;
  const finalPath = options.path;
  const dir = socketDirOf(finalPath);
  const start: Starting = { server, path: finalPath, dir, bound: false, abandoned: false };
  starting.add(start);
  try {
    await bindInDir(start);
    if (!start.abandoned) await chmod(finalPath, 0o600);
  } catch (error) {
    if (!start.abandoned) {
      closeQuietly(server);
      // A directory that failed its check is not ours to remove.
      if (!(error instanceof UnsafeSocketDirError)) removeControlSocketDirIfEmpty(dir);
      throw error;
    }
  } finally {
    starting.delete(start);
  }
  server.unref();
  let closed = false;
  const control: ControlServer = {
    path: finalPath,
    broadcast(event) {
      if (clients.size === 0) return;
      const line = `${JSON.stringify(event)}\n`;
      for (const client of clients) writeEventLine(client, line);
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
      removeControlSocketDirIfEmpty(dir);
    },
  };
  // The worker shut down while we were binding: what we made is undone, and so is the rest.
  if (start.abandoned) control.closeSync();
  return control;
}

/** A control server between its start and its bind, so a shutdown in that moment can still undo it. */
interface Starting {
  server: Server;
  path: string;
  dir: ControlSocketDir;
  /** listen() was called: the socket file may exist. */
  bound: boolean;
  abandoned: boolean;
}

const starting = new Set<Starting>();

/**
 * For the worker's shutdown (the exit handshake: synchronous, the process ends right after): a control
 * server still starting is stopped where it is, its socket file and our empty directory removed, so a
 * process that exits during its first moments leaves nothing behind. Its startControlServer then returns
 * a closed server.
 */
export function abandonStartingControlServers(): void {
  for (const start of starting) {
    start.abandoned = true;
    if (start.bound) {
      closeQuietly(start.server);
      try {
        unlinkSync(start.path);
      } catch {
        // Not created yet, or already removed.
      }
    }
    removeControlSocketDirIfEmpty(start.dir);
  }
  starting.clear();
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
  writeEventLine(socket, `${JSON.stringify(options.hello())}\n`);
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
    writeEventLine(socket, `${JSON.stringify({ type: 'error', message: 'not JSON' })}\n`);
    return;
  }
  const type = typeof request === 'object' && request !== null ? (request as { type?: unknown }).type : undefined;
  if (type === 'snapshot') {
    writeEventLine(socket, `${JSON.stringify({ type: 'snapshot', snapshot: options.snapshot() })}\n`);
  } else {
    writeEventLine(socket, `${JSON.stringify({ type: 'error', message: `unknown request type ${JSON.stringify(type ?? null)}` })}\n`);
  }
}

/**
 * The directory `path` is in, as socket-path.ts knows it. Decided by its name, not by recomputing the
 * default: the worker runs with an empty environment, so its own tmpdir() may not be the main thread's.
 * `agent-lag-<our uid>` is the private one (created if missing, removed when empty); any other (such as
 * $XDG_RUNTIME_DIR) is checked and left alone.
 */
function socketDirOf(path: string): ControlSocketDir {
  const uid = currentUid();
  const dir = dirname(path);
  if (uid === undefined) return { path: dir, kind: 'shared' };
  return { path: dir, kind: basename(dir) === `agent-lag-${uid}` ? 'private' : 'runtime' };
}

/**
 * Checks the directory, sweeps stale sockets, binds. The private directory can vanish between its
 * creation, its check and the bind (the last other monitor of ours removed it at its exit): then it is
 * made again, a few times.
 */
async function bindInDir(start: Starting): Promise<void> {
  const { server, path, dir } = start;
  for (let attempt = 0; ; attempt++) {
    try {
      prepareControlSocketDir(dir);
      await removeStale(path);
      if (attempt === 0 && dir.kind === 'private') await removeOldStagingDirs(dirname(dir.path));
      if (start.abandoned) return;
      start.bound = true;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      // libuv reports a bind into a directory that has just been removed as EACCES (it turns ENOENT into EACCES
      // for Windows' sake): seen when many monitors of one user start and exit at once. Each retry checks the
      // directory again, so a real permission problem still fails after the last attempt.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'EACCES') || dir.kind !== 'private' || attempt >= 3) throw error;
    }
  }
}

/**
 * Socket files left in our directory by monitored processes that died by a signal (no exit handler ran):
 * the one with our own pid, and any whose pid is gone. In a directory only we can write, they are ours.
 */
async function removeStale(path: string): Promise<void> {
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^agent-lag-(\d+)\.sock$/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && isAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

/**
 * Earlier versions bound in a `.agent-lag-XXXXXX` staging directory next to the socket and left it
 * behind when the process exited during start-up. Empty ones of ours older than a minute (no start-up
 * takes that long) are removed; rmdir never removes one that holds anything.
 */
async function removeOldStagingDirs(temp: string): Promise<void> {
  const uid = currentUid();
  const names = await readdir(temp).catch(() => [] as string[]);
  const before = Date.now() - 60_000;
  for (const name of names) {
    if (!/^\.agent-lag-[A-Za-z0-9]{6}$/.test(name)) continue;
    const path = join(temp, name);
    const stats = await lstat(path).catch(() => null);
    if (stats === null || !stats.isDirectory() || stats.uid !== uid || stats.mtimeMs > before) continue;
    await rmdir(path).catch(() => undefined);
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
