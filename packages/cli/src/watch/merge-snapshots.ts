import { decodeHistogram, growingHistogram, type Histogram } from '../shared/histogram.js';
import type { MonitorSnapshot, StackSummary, StallFigures, SyncCallSite, WorstStall } from '../shared/monitor-types.js';

/** How many of the longest stalls a merge keeps: as many as one monitor keeps (its `stalls.worst`). */
export const WORST_MERGED = 5;

/** One process's stall figures, named by its pid (a MonitorSnapshot is one). */
export interface ProcessStalls {
  pid: number | null;
  stalls: StallFigures;
}

/** One of the longest stalls of several processes: the monitor's record, with the process it happened in. */
export type MergedWorstStall = WorstStall & { pid: number | null };

/** Stall figures of several processes, as if they were one (cluster workers, replicas on one host). */
export type MergedStalls = Omit<StallFigures, 'histogram' | 'worst'> & {
  /**
   * The longest stalls of all processes, longest first (at most WORST_MERGED): each process's own top list
   * holds its longest, so the top of their union is the top of all. Empty for monitors older than `worst`.
   */
  worst: MergedWorstStall[];
  /** False when some histogram could not be decoded and the percentiles are the worst process's. */
  exact: boolean;
};

/**
 * Adds the stall histograms (hdr-histogram-js, base64) and re-derives the percentiles, which is the
 * only correct way: a p99 of p99s means nothing. The histograms keep two significant digits, so a
 * percentile read from them is a bucket's top (1239 for a 1234 ms stall): it is clamped to the exact
 * max of the counters, and kept in order (p50 ≤ p99), so no figure contradicts another.
 */
export function mergeStalls(processes: readonly ProcessStalls[]): MergedStalls {
  const stalls = processes.map((p) => p.stalls);
  const maxMs = Math.max(0, ...stalls.map((s) => s.maxMs));
  const merged: MergedStalls = {
    count: sum(stalls.map((s) => s.count)),
    startupCount: sum(stalls.map((s) => s.startupCount)),
    totalMs: sum(stalls.map((s) => s.totalMs)),
    maxMs,
    p50Ms: Math.max(0, ...stalls.map((s) => s.p50Ms)),
    p99Ms: Math.max(0, ...stalls.map((s) => s.p99Ms)),
    worst: mergeWorst(processes),
    exact: stalls.length <= 1,
  };
  if (stalls.length <= 1) return ordered(merged, 0);
  const histograms = stalls.filter((s) => s.count > 0).map((s) => decodeHistogram(s.histogram));
  if (histograms.some((h) => h === null)) return ordered(merged, 0);
  if (histograms.length === 0) return { ...merged, exact: true };
  // Added into a histogram that grows (a decoded one has exactly its own range and throws on a larger
  // value) with the monitors' precision (another precision moves every value to other buckets).
  const decoded = histograms as Histogram[];
  const total = growingHistogram((decoded[0]?.numberOfSignificantValueDigits ?? 2) as 1 | 2 | 3 | 4 | 5);
  try {
    for (const histogram of decoded) total.add(histogram);
  } catch {
    return ordered(merged, 0);
  }
  return ordered({ ...merged, p50Ms: total.getValueAtPercentile(50), p99Ms: total.getValueAtPercentile(99), exact: true }, total.minNonZeroValue);
}

/** p50 and p99 between the smallest stall (as far as the histogram knows it) and the exact max, p50 ≤ p99. */
function ordered(stalls: MergedStalls, minMs: number): MergedStalls {
  const { maxMs } = stalls;
  const low = Number.isFinite(minMs) ? Math.min(minMs, maxMs) : 0;
  const clamp = (value: number) => Math.min(maxMs, Math.max(low, value));
  const p50Ms = clamp(stalls.p50Ms);
  return { ...stalls, p50Ms, p99Ms: Math.max(p50Ms, clamp(stalls.p99Ms)) };
}

/** The longest stalls of all processes, longest first; of equal ones, the earlier first. */
export function mergeWorst(processes: readonly ProcessStalls[]): MergedWorstStall[] {
  const all: MergedWorstStall[] = [];
  for (const { pid, stalls } of processes) for (const stall of stalls.worst ?? []) all.push({ ...stall, pid });
  return all.sort((a, b) => b.durationMs - a.durationMs || a.startedAt - b.startedAt).slice(0, WORST_MERGED);
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
    stalls: mergeStalls(snapshots),
    topStacks: mergeTopStacks(snapshots.map((s) => s.topStacks)),
    syncCalls: mergeSyncCalls(snapshots.map((s) => s.syncCalls)),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
