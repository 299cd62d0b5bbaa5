/**
 * The active OpenTelemetry span's ids, read without importing @opentelemetry/api (an optional peer the
 * host may not have): the API registers its globals on `globalThis[Symbol.for('opentelemetry.js.api.1')]`
 * (`context` is the registered context manager), and a context holds its span under
 * `Symbol.for('OpenTelemetry Context Key SPAN')`. Read when a block's context is captured (inside the
 * debugger's pause, or by a sync wrapper's report), never on a hot path; never throws.
 */

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

interface ContextManagerLike {
  active(): { getValue(key: symbol): unknown } | undefined;
}

/** `[traceId, spanId]` of the span active in the current async context, or null (no OpenTelemetry, no span, an invalid one). */
export function activeTraceIds(): [traceId: string, spanId: string] | null {
  try {
    const api = (globalThis as Record<symbol, { context?: ContextManagerLike } | undefined>)[API_KEY];
    const manager = api?.context;
    if (manager === undefined || manager === null || typeof manager.active !== 'function') return null;
    const active = manager.active();
    if (active === undefined || active === null || typeof active.getValue !== 'function') return null;
    const span = active.getValue(SPAN_KEY) as { spanContext?: () => { traceId?: unknown; spanId?: unknown } } | undefined;
    if (span === undefined || span === null || typeof span.spanContext !== 'function') return null;
    const { traceId, spanId } = span.spanContext();
    if (typeof traceId !== 'string' || typeof spanId !== 'string') return null;
    if (!TRACE_ID.test(traceId) || !SPAN_ID.test(spanId) || traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return null;
    return [traceId, spanId];
  } catch {
    // A context manager or span in an unexpected state: the block just goes without trace ids.
    return null;
  }
}
