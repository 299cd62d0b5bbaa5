import { compilePatterns, createRedactor, type PatternSource, type Redactor } from './redactor.js';

/** Redaction as resolved from startMonitor's options: plain data, handed to the watchdog worker as is. */
export interface RedactPolicy {
  /** false: events carry no `inFlight.hint` at all. */
  hints: boolean;
  /** Extra patterns, as `{ source, flags }`. */
  patterns: PatternSource[];
}

export const DEFAULT_REDACT_POLICY: RedactPolicy = { hints: true, patterns: [] };

/** Objects nested deeper than this are left out (events are a few levels deep; sections a few more). */
const MAX_DEPTH = 12;

/**
 * `value` with every string in it redacted, and every `hint` dropped (null) when `hints` is false.
 * Copy on write: an object none of whose strings changed is returned as it was, so a clean event costs
 * a walk and no allocation. Numbers, booleans and null pass through.
 */
export function redactDeep<T>(value: T, redact: Redactor, hints = true): T {
  return walk(value, redact, hints, 0) as T;
}

function walk(value: unknown, redact: Redactor, hints: boolean, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, redact, hints, depth + 1);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const next = !hints && key === 'hint' ? null : walk(item, redact, hints, depth + 1);
    if (next !== item) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/** Compiled redactors per policy object: the worker passes the same resolved options on every call. */
const compiled = new WeakMap<RedactPolicy, Redactor>();

function redactorOf(policy: RedactPolicy): Redactor {
  let redactor = compiled.get(policy);
  if (redactor === undefined) {
    let extra: RegExp[] = [];
    try {
      extra = compilePatterns(policy.patterns);
    } catch {
      // Validated by resolveOptions; a pattern that fails here still leaves the built-in rules.
    }
    redactor = createRedactor(extra);
    compiled.set(policy, redactor);
  }
  return redactor;
}

/**
 * What leaves the process (a log line, a control-socket message, a snapshot for /metrics), redacted by
 * `policy` (the resolved `redact` option; absent: the built-in rules, hints kept).
 */
export function redactEvent<T>(event: T, policy: RedactPolicy | undefined = DEFAULT_REDACT_POLICY): T {
  return redactDeep(event, redactorOf(policy), policy.hints);
}
