import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { UsageError } from '../errors.js';
import { MAX_LINE_CHARS, NdjsonSplitter } from '../shared/ndjson.js';
import { readSlaRecord, type SlaRecord } from '../shared/sla.js';
import { checkSocketOwner } from './resolve-target.js';
import type { BlockEvent, LagEvent, MonitorSnapshot } from '../shared/monitor-types.js';

/**
 * The first line a monitor sends on its control socket (the monitor's HelloMessage, which its package does
 * not export: the snapshot's fields it repeats are taken from MonitorSnapshot).
 */
export type MonitorHello = Pick<MonitorSnapshot, 'pid' | 'thresholdMs' | 'mode'> & {
  type: 'hello';
  version: string;
  /** When the process is blocked right now and the block was already reported as ongoing: that event. */
  ongoing?: BlockEvent;
};

export interface MonitorConnectionEvents {
  block: [BlockEvent];
  lag: [LagEvent];
  /** A run or request seen in flight past the monitor's `inFlightSlaMs`, read to its own fields. */
  sla: [SlaRecord];
  close: [];
}

/**
 * What `watch` reads a monitor through: its control socket (MonitorConnection) or its metrics endpoint's
 * `/events` and `/snapshot` (EndpointConnection). The same hello and events either way.
 */
export interface MonitorLink {
  readonly hello: MonitorHello;
  /** The socket path, or the endpoint's URL without credentials. */
  readonly path: string;
  readonly kind: 'socket' | 'url';
  readonly isClosed: boolean;
  /** The monitor's current snapshot; null if it cannot be had (the link closed, the monitor could not answer). */
  snapshot(): Promise<MonitorSnapshot | null>;
  close(): void;
  on<K extends keyof MonitorConnectionEvents>(event: K, listener: (...args: MonitorConnectionEvents[K]) => void): this;
}

/** Emits a streamed block, lag or SLA line as its event; false for any other line. */
export function emitStreamedEvent(emitter: EventEmitter<MonitorConnectionEvents>, message: Record<string, unknown>): boolean {
  switch (message['type']) {
    case 'block':
      emitter.emit('block', message as unknown as BlockEvent);
      return true;
    case 'lag':
      emitter.emit('lag', message as unknown as LagEvent);
      return true;
    case 'sla': {
      const breach = readSlaRecord(message);
      if (breach) emitter.emit('sla', breach);
      return true;
    }
    default:
      return false;
  }
}

export function isHello(message: Record<string, unknown>): message is MonitorHello & Record<string, unknown> {
  return message['type'] === 'hello' && typeof message['pid'] === 'number';
}

/** How long a refused connection is tried again: a socket bound but not yet listening refuses too. */
const REFUSED_RETRY_MS = 1000;

/** ECONNREFUSED: nobody listening, yet or any more. */
class RefusedError extends Error {}

/**
 * A client of the monitor's control socket (NDJSON both ways, served from its watchdog thread so it
 * answers while the app's loop is frozen): the hello, snapshots on request, and streamed events.
 */
export class MonitorConnection extends EventEmitter<MonitorConnectionEvents> implements MonitorLink {
  readonly kind = 'socket';
  private readonly waitingSnapshots: ((snapshot: MonitorSnapshot | null) => void)[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
    readonly hello: MonitorHello,
  ) {
    super();
  }

  /**
   * Connects and waits for the hello. A socket that says anything else, or nothing within
   * `helloTimeoutMs`, is not ours: the caller gets a UsageError and the connection is closed.
   */
  static async open(path: string, helloTimeoutMs = 3000): Promise<MonitorConnection> {
    // Whose socket it is, before a byte from it counts (the name may have been squatted).
    await checkSocketOwner(path);
    // A socket file exists from its bind, a moment before its listen: connecting in between is refused. A
    // monitor that has just started (an injected one, a process just launched) is given a second to listen.
    const refusedUntil = Date.now() + REFUSED_RETRY_MS;
    for (;;) {
      try {
        return await MonitorConnection.openOnce(path, helloTimeoutMs);
      } catch (error) {
        if (!(error instanceof RefusedError) || Date.now() > refusedUntil) throw error instanceof RefusedError ? new UsageError(error.message) : error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private static openOnce(path: string, helloTimeoutMs: number): Promise<MonitorConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      const splitter = new NdjsonSplitter(MAX_LINE_CHARS);
      let connection: MonitorConnection | undefined;
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new UsageError(message));
      };
      const timer = setTimeout(() => fail(`${path} is not an agent-lag monitor socket (no hello)`), helloTimeoutMs);
      socket.setEncoding('utf8');
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (connection) return; // reported as 'close'
        if (error.code === 'ECONNREFUSED') {
          clearTimeout(timer);
          socket.destroy();
          reject(new RefusedError(`nothing is listening on ${path} (the monitored process has exited?)`));
        } else if (error.code === 'EACCES') fail(`no permission to open ${path} (it belongs to another user)`);
        else fail(`cannot connect to ${path}: ${error.code ?? error.message}`);
      });
      socket.on('data', (chunk: string) => {
        const messages = splitter.push(chunk);
        if (splitter.oversizeLines > 0) {
          if (connection) connection.close();
          else fail(`${path} sent a line longer than ${MAX_LINE_CHARS / (1024 * 1024)} MiB: not an agent-lag monitor socket`);
          return;
        }
        for (const message of messages) {
          if (connection) {
            connection.dispatch(message);
          } else if (isHello(message)) {
            clearTimeout(timer);
            connection = new MonitorConnection(socket, path, message);
            socket.on('close', () => connection?.markClosed());
            resolve(connection);
          } else {
            fail(`${path} is not an agent-lag monitor socket (unexpected greeting)`);
            return;
          }
        }
      });
      socket.on('close', () => {
        if (!connection) fail(`${path} is not an agent-lag monitor socket (closed without a hello)`);
      });
    });
  }

  /** The monitor's current snapshot; null if the connection closes first. */
  snapshot(): Promise<MonitorSnapshot | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waitingSnapshots.push(resolve);
      this.socket.write(`${JSON.stringify({ type: 'snapshot' })}\n`);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
    this.markClosed();
  }

  private dispatch(message: Record<string, unknown>): void {
    switch (message['type']) {
      case 'snapshot':
        this.waitingSnapshots.shift()?.((message['snapshot'] ?? null) as MonitorSnapshot | null);
        break;
      case 'error':
        // The monitor could not answer a request: the oldest waiting snapshot gets nothing.
        this.waitingSnapshots.shift()?.(null);
        break;
      default:
        // Newer monitors may send more; what we do not know is ignored.
        emitStreamedEvent(this, message);
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiting of this.waitingSnapshots.splice(0)) waiting(null);
    this.emit('close');
  }
}

