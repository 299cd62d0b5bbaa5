/** In-flight figures read from the HTTP middleware's `routes` section of a snapshot, when present. */
export interface InFlightFigures {
  inFlight: number;
  /** Age of the oldest request in flight, ms; null when none. */
  oldestMs: number | null;
  /** Routes that blocked the loop, worst first. */
  routes: { route: string; inFlight: number; blocks: number; blockedMs: number; worstBlockMs: number; requests: number }[];
  shedding: boolean;
}

/**
 * Reads `snapshot.sections.routes` (published by the monitor's HTTP middleware:
 * `{at, routes: [{route, requests, blocks, blockedMs, worstBlockMs, inFlight, oldestInFlightStartedAt}],
 * shedding}`). The section belongs to another package and may grow, so it is read defensively. Ages
 * are computed here, at `now`, so they keep growing while the service is wedged.
 */
export function readRoutesSection(sections: Record<string, unknown> | undefined, now = Date.now()): InFlightFigures | null {
  const section = sections?.['routes'];
  if (!isRecord(section) || !Array.isArray(section['routes'])) return null;
  const routes = section['routes'].filter(isRecord).map((entry) => ({
    route: typeof entry['route'] === 'string' ? entry['route'] : '?',
    inFlight: numberOr(entry['inFlight'], 0),
    oldestStartedAt: typeof entry['oldestInFlightStartedAt'] === 'number' ? entry['oldestInFlightStartedAt'] : null,
    blocks: numberOr(entry['blocks'], 0),
    blockedMs: numberOr(entry['blockedMs'], 0),
    worstBlockMs: numberOr(entry['worstBlockMs'], 0),
    requests: numberOr(entry['requests'], 0),
  }));
  const oldestStarts = routes.flatMap((r) => (r.oldestStartedAt === null ? [] : [r.oldestStartedAt]));
  const shedding = isRecord(section['shedding']) && section['shedding']['active'] === true;
  return {
    inFlight: routes.reduce((total, r) => total + r.inFlight, 0),
    oldestMs: oldestStarts.length > 0 ? Math.max(0, now - Math.min(...oldestStarts)) : null,
    routes: routes
      .map(({ oldestStartedAt: _unused, ...rest }) => rest)
      .sort((a, b) => b.blockedMs - a.blockedMs),
    shedding,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
