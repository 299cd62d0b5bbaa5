import { EventEmitter } from 'node:events';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../errors.js';
import { MAX_LINE_CHARS, NdjsonSplitter } from '../shared/ndjson.js';
import { emitStreamedEvent, isHello, type MonitorConnectionEvents, type MonitorHello, type MonitorLink } from './monitor-connection.js';
import type { MonitorSnapshot } from '../shared/monitor-types.js';

/** The endpoint paths a user may paste (`…/metrics` from a scrape config): the base is what is left. */
const ENDPOINT_PATHS = /\/(?:metrics|snapshot|events|healthz)\/?$/;
/** How long a snapshot request may take before that poll gets nothing. */
const SNAPSHOT_TIMEOUT_MS = 5000;

/**
 * A monitor's metrics endpoint, as `watch <url>` reads it: the base URL (`http://127.0.0.1:9464`, a
 * `/metrics` or other endpoint path taken off), the credentials for Basic auth apart, and the URL to show,
 * which never carries them.
 */
export interface EndpointTarget {
  /** Protocol, host and port; its path is not used. */
  base: URL;
  /** The path the endpoint is served under, '' at the root, never ending in '/'. */
  prefix: string;
  display: string;
  auth: string | undefined;
}

/** Reads `http(s)://[user:password@]host:port[/prefix][/metrics]`; null when the argument is no such URL. */
export function parseEndpointUrl(argument: string): EndpointTarget | null {
  if (!/^https?:\/\//i.test(argument)) return null;
  let url: URL;
  try {
    url = new URL(argument);
  } catch {
    throw new UsageError(`not a valid URL: ${withoutCredentials(argument)}`);
  }
  const auth = url.username === '' && url.password === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  const prefix = url.pathname.replace(ENDPOINT_PATHS, '').replace(/\/+$/, '');
  return { base: url, prefix, display: `${url.origin}${prefix}`, auth };
}

/** A URL as it may be shown: `user:password@` left out, even when the URL does not parse. */
function withoutCredentials(text: string): string {
  return text.replace(/^(https?:\/\/)[^/@]*@/i, '$1');
}

/**
 * A monitor read through its metrics endpoint: `/events` streams the hello, then block, lag and SLA
 * lines, as the control socket does; `/snapshot` answers each poll. For a process whose socket `watch`
 * cannot reach: in a container, on another host through a tunnel.
 */
export class EndpointConnection extends EventEmitter<MonitorConnectionEvents> implements MonitorLink {
  readonly kind = 'url';
  private closed = false;

  private constructor(
    private readonly target: EndpointTarget,
    private readonly stream: ClientRequest,
    readonly hello: MonitorHello,
  ) {
    super();
  }

  get path(): string {
    return this.target.display;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Opens `/events` and waits for the hello. Anything else (another status, another first line, nothing
   * within `helloTimeoutMs`) is not an agent-lag endpoint: a UsageError, and the request is closed.
   */
  static open(target: EndpointTarget, helloTimeoutMs = 3000): Promise<EndpointConnection> {
    const { display } = target;
    return new Promise((resolve, reject) => {
      let connection: EndpointConnection | undefined;
      const splitter = new NdjsonSplitter(MAX_LINE_CHARS);
      const fail = (message: string) => {
        clearTimeout(timer);
        stream.destroy();
        reject(new UsageError(message));
      };
      const stream = get(target, '/events', { accept: 'application/x-ndjson' }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          const why =
            response.statusCode === 404
              ? 'answered 404: not an agent-lag metrics endpoint, or a monitor older than this watch'
              : response.statusCode === 401 || response.statusCode === 403
                ? `answered ${response.statusCode}: give the credentials in the URL (http://user:password@host:port)`
                : `answered ${response.statusCode ?? '?'}`;
          fail(`${display}/events ${why}`);
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const messages = splitter.push(chunk);
          if (splitter.oversizeLines > 0) {
            if (connection) connection.close();
            else fail(`${display}/events sent a line longer than ${MAX_LINE_CHARS / (1024 * 1024)} MiB: not an agent-lag metrics endpoint`);
            return;
          }
          for (const message of messages) {
            if (connection) {
              emitStreamedEvent(connection, message);
            } else if (isHello(message)) {
              clearTimeout(timer);
              connection = new EndpointConnection(target, stream, message);
              resolve(connection);
            } else {
              fail(`${display}/events is not an agent-lag event stream (unexpected greeting)`);
              return;
            }
          }
        });
        response.on('close', () => {
          if (connection) connection.markClosed();
          else fail(`${display}/events is not an agent-lag event stream (closed without a hello)`);
        });
      });
      const timer = setTimeout(() => fail(`${display}/events is not an agent-lag event stream (no hello within ${helloTimeoutMs / 1000} s)`), helloTimeoutMs);
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (connection) {
          connection.markClosed();
          return;
        }
        if (error.code === 'ECONNREFUSED') fail(`nothing is listening on ${display} (the monitored process has exited, or its metrics endpoint is off?)`);
        else if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') fail(`cannot resolve the host of ${display}`);
        else fail(`cannot connect to ${display}: ${error.code ?? error.message}`);
      });
    });
  }

  snapshot(): Promise<MonitorSnapshot | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const request = get(this.target, '/snapshot', { accept: 'application/json' }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          resolve(null);
          return;
        }
        readBody(response, MAX_LINE_CHARS).then((body) => resolve(parseSnapshot(body)), () => resolve(null));
      });
      request.setTimeout(SNAPSHOT_TIMEOUT_MS, () => request.destroy());
      request.on('error', () => resolve(null));
    });
  }

  close(): void {
    this.stream.destroy();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** A GET of `path` under the endpoint's base, with its credentials as Basic auth. */
function get(target: EndpointTarget, path: string, headers: Record<string, string>, onResponse: (response: IncomingMessage) => void): ClientRequest {
  const { base, prefix, auth } = target;
  const options: RequestOptions = {
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port === '' ? undefined : Number(base.port),
    path: `${prefix}${path}`,
    headers,
    ...(auth === undefined ? {} : { auth }),
  };
  const request = base.protocol === 'https:' ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
  request.end();
  return request;
}

function readBody(response: IncomingMessage, maxChars: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > maxChars) response.destroy(new Error('snapshot too large'));
    });
    response.on('end', () => resolve(body));
    response.on('error', reject);
    response.on('close', () => reject(new Error('closed')));
  });
}

function parseSnapshot(body: string): MonitorSnapshot | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && typeof (value as { pid?: unknown }).pid === 'number' ? (value as MonitorSnapshot) : null;
  } catch {
    return null;
  }
}
