import type { Context, InFlight } from './log-types.js';

/** `child_process.execSync "sleep 1"`: the sync API in flight and its argument hint. */
export function describeInFlight(inFlight: InFlight | null): string | null {
  if (!inFlight) return null;
  return inFlight.hint ? `${inFlight.api} ${JSON.stringify(inFlight.hint)}` : inFlight.api;
}

/**
 * `4 requests in flight`: the requests the HTTP middleware counted as not yet answered while the block
 * held the loop (the one that blocked among them). Null without the middleware, or with none in flight.
 */
export function describeRequestsInFlight(count: number | null | undefined): string | null {
  if (count === null || count === undefined || count < 1) return null;
  return `${count} request${count === 1 ? '' : 's'} in flight`;
}

/** `POST /agent/run` when the context names a route, else `key=value` pairs. */
export function describeContext(context: Context | null): string | null {
  if (!context) return null;
  const route = context['http.route'];
  const method = context['http.request.method'];
  const rest = Object.entries(context)
    .filter(([key]) => key !== 'http.route' && key !== 'http.request.method')
    .map(([key, value]) => `${key}=${String(value)}`);
  const head = typeof route === 'string' ? [`${typeof method === 'string' ? `${method} ` : ''}${route}`] : [];
  const parts = [...head, ...rest];
  return parts.length ? parts.join(' ') : null;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
