import { createRequire } from 'node:module';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import * as hdr from 'hdr-histogram-js';
import type { MonitorSnapshot } from '../src/types.js';
import type { RoutesSection } from '../src/middleware/tracker.js';
import type { AgentsSection } from '../src/agents/run-figures.js';

export interface ParsedFamily {
  name: string;
  help: string;
  type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

/** A real Prometheus text parser (prom2json-compatible output). */
export const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

export function byName(families: ParsedFamily[]): Map<string, ParsedFamily> {
  return new Map(families.map((family) => [family.name, family]));
}

/** A pull-only reader for the OpenTelemetry SDK: `collect()` runs the exporter's observable callback on demand. */
export class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Stall histogram encoded the way the watchdog encodes it: hdr-histogram-js, ms values. */
export function encodeStalls(durationsMs: number[]): string {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  for (const ms of durationsMs) histogram.recordValue(ms);
  const encoded = hdr.encodeIntoCompressedBase64(histogram);
  histogram.destroy();
  return encoded;
}

/** A snapshot as the monitor produces it: three stalls (120, 480, 2600 ms), two routes, one request in flight, two tools, one agent run in flight, three in-flight SLA breaches. */
export function sampleSnapshot(now: number): MonitorSnapshot {
  const routes: RoutesSection = {
    at: now,
    unattributedBlocks: 1,
    shedding: { active: true, reason: 'lag', since: now - 1000, episodes: 2 },
    routes: [
      { route: '/tools/:name/run', requests: 5, blocks: 2, blockedMs: 3080, worstBlockMs: 2600, waitedMs: 0, waits: 0, shed: 0, inFlight: 0, oldestInFlightStartedAt: null },
      { route: '/agents/:id/runs', requests: 1, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 2600, waits: 1, shed: 3, inFlight: 2, oldestInFlightStartedAt: now - 4500 },
    ],
  };
  const agents: AgentsSection = {
    at: now,
    tools: [
      { tool: 'summarize_repo', calls: 4, blocks: 2, blockedMs: 3080, worstBlockMs: 2600, waitedMs: 0, waits: 0, inFlight: 1 },
      { tool: 'search', calls: 9, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 480, waits: 1, inFlight: 0 },
    ],
    agents: [
      { agent: 'triage', tenant: 'acme', inFlight: 1, oldestInFlightStartedAt: now - 7250 },
      { agent: 'triage', tenant: 'other', inFlight: 0, oldestInFlightStartedAt: null },
    ],
  };
  return {
    pid: 4242,
    at: now,
    uptimeMs: 60_000,
    thresholdMs: 100,
    mode: 'full',
    heartbeat: 'on-demand',
    lag: { minMs: 0.5, maxMs: 2600, meanMs: 12, stddevMs: 40, p50Ms: 1, p90Ms: 8, p99Ms: 480, samples: 600, source: 'perf_hooks' },
    utilization: 0.42,
    utilizationSinceStart: 0.3,
    stalls: { count: 3, startupCount: 1, totalMs: 3200, maxMs: 2600, p50Ms: 480, p99Ms: 2600, histogram: encodeStalls([120, 480, 2600]) },
    threadPool: { lastMs: 350, p50Ms: 1, p99Ms: 360, maxMs: 370, samples: 50 },
    topStacks: [],
    syncCalls: [],
    sections: { routes, agents, eventLoop: { activeMs: 25_200, idleMs: 34_800 }, sla: { slaMs: 30_000, breaches: { run: 2, request: 1 } } },
  };
}
