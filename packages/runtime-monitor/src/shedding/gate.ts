/**
 * The per-request side of load shedding, shared by every adapter: exemptions, the 503 response and its
 * customisation hook. Adapters only translate the returned plain response into their framework's API.
 */
import { stringifyUnwrapped } from '../inflight/unwrapped-json.js';
import { compilePathMatcher, type PathMatcher } from './route-matcher.js';
import { Shedder, type ShedReason, type ShedState, type ShedderOptions } from './shedder.js';

/** Paths that are never shed unless `healthPaths` says otherwise: probes must see the truth. */
export const DEFAULT_HEALTH_PATHS: readonly string[] = ['/healthz', '/health', '/livez', '/readyz', '/ready', '/metrics'];

export interface ShedInfo {
  method: string;
  path: string;
  /** The route template when the framework knows it before the handler runs (Fastify, plain http with `route`). */
  route: string | null;
  reason: ShedReason;
  retryAfterSeconds: number;
  state: ShedState;
}

/** A response in plain data; each adapter writes it with its own API. */
export interface ShedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ShedOptions extends ShedderOptions {
  /** `Retry-After` in whole seconds. Default: the time it takes to recover, rounded up (at least 1). */
  retryAfterSeconds?: number;
  /** Route templates or paths (`/jobs/:id/cancel`, `/admin/*`) that are never shed. */
  exempt?: readonly string[];
  /** Health and metrics paths, never shed. Default {@link DEFAULT_HEALTH_PATHS}. */
  healthPaths?: readonly string[];
  /** Customises the response; return undefined to keep the default 503. */
  respond?: (info: ShedInfo) => ShedResponse | undefined;
}

export class ShedGate {
  readonly shedder: Shedder;
  readonly #exempt: PathMatcher;
  readonly #retryAfterSeconds: number;
  readonly #respond: ((info: ShedInfo) => ShedResponse | undefined) | undefined;

  constructor(options: ShedOptions, readThreadPoolDelayMs?: () => number | null, readOldestRunAgeMs?: () => number | null) {
    this.shedder = new Shedder(options, readThreadPoolDelayMs, readOldestRunAgeMs);
    const retryAfter = options.retryAfterSeconds;
    if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
      throw new TypeError(`agent-lag shedding: retryAfterSeconds must be a whole number of seconds, got ${String(retryAfter)}`);
    }
    if (options.respond !== undefined && typeof options.respond !== 'function') {
      throw new TypeError('agent-lag shedding: respond must be a function');
    }
    const recoverMs = (options.windowMs ?? 1000) * (options.recoverWindows ?? 2);
    this.#retryAfterSeconds = retryAfter ?? Math.max(1, Math.ceil(recoverMs / 1000));
    this.#exempt = compilePathMatcher([...(options.healthPaths ?? DEFAULT_HEALTH_PATHS), ...(options.exempt ?? [])]);
    this.#respond = options.respond;
  }

  /** The response to send instead of running the handler, or null to let the request through. */
  check(method: string, path: string, route: string | null): ShedResponse | null {
    if (!this.shedder.active || this.#exempt(path) || (route !== null && this.#exempt(route))) return null;
    const state = this.shedder.state();
    const info: ShedInfo = { method, path, route, reason: state.reason ?? 'lag', retryAfterSeconds: this.#retryAfterSeconds, state };
    let custom: ShedResponse | undefined;
    try {
      custom = this.#respond?.(info);
    } catch {
      // A broken hook must not turn shedding into 500s: fall back to the default answer.
    }
    return custom ?? defaultShedResponse(info);
  }

  start(): void {
    this.shedder.start();
  }

  stop(): void {
    this.shedder.stop();
  }
}

export function defaultShedResponse(info: ShedInfo): ShedResponse {
  return {
    statusCode: 503,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(info.retryAfterSeconds),
      'cache-control': 'no-store',
    },
    body: stringifyUnwrapped({ error: 'overloaded', reason: info.reason, retryAfterSeconds: info.retryAfterSeconds }),
  };
}
