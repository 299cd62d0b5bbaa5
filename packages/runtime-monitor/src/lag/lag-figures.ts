import type { LagFigures } from '../types.js';

export function emptyLagFigures(source: LagFigures['source']): LagFigures {
  return { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, samples: 0, source };
}
