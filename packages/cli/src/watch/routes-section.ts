/** In-flight figures read from the HTTP middleware's `routes` section of a snapshot, when present. */
export interface InFlightFigures {
  inFlight: number | null;
  oldestMs: number | null;
  /** Routes that blocked the loop, worst first. */
  routes: { route: string; blocks: number; blockedMs: number; worstBlockMs: number; requests: number }[];
}

/**
 * The section is published by another package and may grow; read it defensively, showing what is
 * there and nothing when it is absent.
 */
export function readRoutesSection(sections: Record<string, unknown> | undefined): InFlightFigures | null {
  const section = sections?.['routes'];
  if (section === undefined || section === null) return null;
  const record = isRecord(section) ? section : {};
  const list = Array.isArray(section) ? section : Array.isArray(record['routes']) ? (record['routes'] as unknown[]) : [];
  const routes = list.filter(isRecord).map((entry) => ({
    route: typeof entry['route'] === 'string' ? entry['route'] : '?',
    blocks: numberOr(entry['blocks'], 0),
    blockedMs: numberOr(entry['blockedMs'], 0),
    worstBlockMs: numberOr(entry['worstBlockMs'], 0),
    requests: numberOr(entry['requests'], 0),
  }));
  routes.sort((a, b) => b.blockedMs - a.blockedMs);
  return {
    inFlight: firstNumber(record, ['inFlight', 'inflight', 'active']),
    oldestMs: firstNumber(record, ['oldestMs', 'oldestAgeMs', 'oldestInFlightMs']),
    routes,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function firstNumber(record: Record<string, unknown>, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}
