/**
 * The opt-in metrics and health endpoint. The watchdog worker runs it, so `/metrics` and `/healthz`
 * answer while the main thread is frozen — they read the latest snapshot the main thread sent, plus
 * the worker's own view of the stall in progress. Binds 127.0.0.1 unless told otherwise. `/events`
 * streams what the control socket streams (a hello, then block, lag and SLA lines, NDJSON), for
 * `agent-lag watch <url>` where the socket cannot be reached (a process in a container).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_EVENT_READERS, writeEventLine } from '../control/event-stream.js';
import type { MonitorSnapshot } from '../types.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './prometheus.js';

export interface HttpEndpointOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; read the chosen one from the result. */
  port: number;
  /** The latest snapshot; may throw or return null before the first one arrived. */
  getSnapshot: () => MonitorSnapshot | null;
  /** How long the main loop has been stalled right now, ms (0 when it is running). Reported by /healthz. */
  getStalledMs?: () => number;
  /**
   * /healthz answers 503 once the current stall is longer than this, ms. Undefined or 0: never (always
   * 200), so the monitor's resolved `metricsEndpoint` (0 when off) can be passed as is.
   */
  unhealthyAfterMs?: number | undefined;
  /** The first line of an `/events` stream (the control socket's hello); without it there is no `/events`. */
  getHello?: () => object;
}

export interface HttpEndpoint {
  port: number;
  host: string;
  /** Sends an event (already redacted) to every `/events` stream. */
  broadcast(event: object): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readSnapshot(getSnapshot: () => MonitorSnapshot | null): MonitorSnapshot | null {
  try {
    return getSnapshot();
  } catch {
    return null;
  }
}

export function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const { port, getSnapshot, getStalledMs, unhealthyAfterMs, getHello } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new TypeError(`agent-lag metrics endpoint: port must be an integer in 0..65535, got ${String(port)}`));
  }
  if (unhealthyAfterMs !== undefined && (typeof unhealthyAfterMs !== 'number' || !Number.isFinite(unhealthyAfterMs) || unhealthyAfterMs < 0)) {
    return Promise.reject(new TypeError(`agent-lag metrics endpoint: unhealthyAfterMs must be a number of ms >= 0 (0: off), got ${String(unhealthyAfterMs)}`));
  }
  const limitMs = unhealthyAfterMs !== undefined && unhealthyAfterMs > 0 ? unhealthyAfterMs : null;
  const streams = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const snapshot = readSnapshot(getSnapshot);
      if (snapshot === null) send(res, 503, 'text/plain; charset=utf-8', 'no snapshot yet\n');
      else send(res, 200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(snapshot));
    } else if (path === '/healthz') {
      const snapshot = readSnapshot(getSnapshot);
      let stalledMs: number;
      try {
        stalledMs = getStalledMs?.() ?? 0;
      } catch {
        stalledMs = 0;
      }
      const unhealthy = limitMs !== null && stalledMs > limitMs;
      const body = {
        status: unhealthy ? 'stalled' : 'ok',
        pid: snapshot?.pid ?? null,
        mode: snapshot?.mode ?? null,
        stalledMs,
        unhealthyAfterMs: limitMs,
        stalls: snapshot?.stalls.count ?? null,
        snapshotAgeMs: snapshot === null ? null : Math.max(0, Date.now() - snapshot.at),
      };
      send(res, unhealthy ? 503 : 200, 'application/json; charset=utf-8', JSON.stringify(body) + '\n');
    } else if (path === '/events' && getHello !== undefined) {
      if (streams.size >= MAX_EVENT_READERS) {
        send(res, 503, 'text/plain; charset=utf-8', `too many event streams (${MAX_EVENT_READERS})\n`);
        return;
      }
      let hello: string;
      try {
        hello = `${JSON.stringify(getHello())}\n`;
      } catch {
        send(res, 503, 'text/plain; charset=utf-8', 'not ready\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      // Streamed as written, and never held for a request timeout: it lasts as long as the reader reads.
      res.socket?.setNoDelay(true);
      res.socket?.setTimeout(0);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      res.on('error', () => res.destroy());
      writeEventLine(res, hello);
    } else if (path === '/snapshot') {
      const snapshot = readSnapshot(getSnapshot);
      if (snapshot === null) send(res, 503, 'text/plain; charset=utf-8', 'no snapshot yet\n');
      else send(res, 200, 'application/json; charset=utf-8', JSON.stringify(snapshot) + '\n');
    } else {
      send(res, 404, 'text/plain; charset=utf-8', `not found: try /metrics, /healthz${getHello === undefined ? '' : ', /events'} or /snapshot\n`);
    }
  });
  // Scrapers keep connections open; they must not keep the worker (or the process) alive.
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      const address = server.address() as AddressInfo;
      resolve({
        port: address.port,
        host,
        broadcast(event) {
          if (streams.size === 0) return;
          const line = `${JSON.stringify(event)}\n`;
          for (const stream of streams) writeEventLine(stream, line);
        },
        close: () =>
          new Promise<void>((done) => {
            // Each reader sees its stream end (a watch then says the process went).
            for (const stream of streams) stream.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
