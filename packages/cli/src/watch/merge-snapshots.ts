import hdr from 'hdr-histogram-js';
import type { MonitorSnapshot, StackSummary, StallFigures, SyncCallSite } from '../shared/monitor-types.js';

/** Stall figures of several processes, as if they were one (cluster workers, replicas on one host). */
export type MergedStalls = Omit<StallFigures, 'histogram'> & {
  /** False when some histogram could not be decoded and the percentiles are the worst process's. */
  exact: boolean;
};

/**
 * Adds the stall histograms (hdr-histogram-js, base64) and re-derives the percentiles, which is the
 * only correct way: a p99 of p99s means nothing.
 */
export function mergeStalls(stalls: readonly StallFigures[]): MergedStalls {
  const merged: MergedStalls = {
    count: sum(stalls.map((s) => s.count)),
    startupCount: sum(stalls.map((s) => s.startupCount)),
    totalMs: sum(stalls.map((s) => s.totalMs)),
    maxMs: Math.max(0, ...stalls.map((s) => s.maxMs)),
    p50Ms: Math.max(0, ...stalls.map((s) => s.p50Ms)),
    p99Ms: Math.max(0, ...stalls.map((s) => s.p99Ms)),
    exact: stalls.length <= 1,
  };
  if (stalls.length <= 1) return merged;
  const histograms = stalls.filter((s) => s.count > 0).map((s) => decodeHistogram(s.histogram));
  if (histograms.some((h) => h === null)) return merged;
  const [first, ...rest] = histograms as hdr.Histogram[];
  if (!first) return { ...merged, exact: true };
  for (const other of rest) first.add(other);
  return {
    ...merged,
    p50Ms: first.getValueAtPercentile(50),
    p99Ms: first.getValueAtPercentile(99),
    exact: true,
  };
}

function decodeHistogram(base64: string): hdr.Histogram | null {
  if (!base64) return null;
  try {
    return hdr.decodeFromCompressedBase64(base64);
  } catch {
    return null;
  }
}

/** Blocking stacks of several processes, grouped by signature, worst total first. */
export function mergeTopStacks(lists: readonly (readonly StackSummary[])[]): StackSummary[] {
  const bySignature = new Map<string, StackSummary>();
  for (const list of lists) {
    for (const entry of list) {
      const seen = bySignature.get(entry.signature);
      if (!seen) {
        bySignature.set(entry.signature, { ...entry });
        continue;
      }
      seen.count += entry.count;
      seen.totalMs += entry.totalMs;
      seen.maxMs = Math.max(seen.maxMs, entry.maxMs);
      seen.inFlight ??= entry.inFlight;
      seen.context ??= entry.context;
    }
  }
  return [...bySignature.values()].sort((a, b) => b.totalMs - a.totalMs);
}

/** Sync call sites of several processes, per API and site, slowest total first. */
export function mergeSyncCalls(lists: readonly (readonly SyncCallSite[])[]): SyncCallSite[] {
  const bySite = new Map<string, SyncCallSite>();
  for (const list of lists) {
    for (const entry of list) {
      const key = `${entry.api}\u0000${entry.site ?? ''}`;
      const seen = bySite.get(key);
      if (!seen) {
        bySite.set(key, { ...entry });
        continue;
      }
      seen.count += entry.count;
      seen.totalMs += entry.totalMs;
      seen.maxMs = Math.max(seen.maxMs, entry.maxMs);
    }
  }
  return [...bySite.values()].sort((a, b) => b.totalMs - a.totalMs);
}

/** Everything a summary or a view shows that spans processes. */
export interface MergedSnapshots {
  snapshots: MonitorSnapshot[];
  stalls: MergedStalls;
  topStacks: StackSummary[];
  syncCalls: SyncCallSite[];
}

export function mergeSnapshots(snapshots: readonly MonitorSnapshot[]): MergedSnapshots {
  return {
    snapshots: [...snapshots],
    stalls: mergeStalls(snapshots.map((s) => s.stalls)),
    topStacks: mergeTopStacks(snapshots.map((s) => s.topStacks)),
    syncCalls: mergeSyncCalls(snapshots.map((s) => s.syncCalls)),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
