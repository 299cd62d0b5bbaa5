import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderDemo, type DemoOutcome, type PhaseOutcome } from '../src/demo/render.js';
import type { LoadResult } from '../src/demo/load.js';

function phase(tools: 'sync' | 'async', load: LoadResult): PhaseOutcome {
  return { tools, load, stalls: tools === 'sync' ? 2 : 0, blockedMs: 900, worstMs: 600, runtime: [] };
}

function outcome(sync: LoadResult, asyncLoad: LoadResult): DemoOutcome {
  return { serviceDir: '/srv/agent-service', lint: [], sync: phase('sync', sync), async: phase('async', asyncLoad), durationS: 3, connections: 10, thresholdMs: 50 };
}

/** Step 3 of the demo's screen, without colours. */
function fixStep(text: string): string[] {
  const lines = stripVTControlCharacters(text).split('\n');
  const start = lines.findIndex((line) => line.startsWith(' 3 '));
  return lines.slice(start + 1, start + 5);
}

describe('agent-lag demo, step 3 (the fix)', () => {
  it('compares throughput and p99 latency when both versions completed requests', () => {
    const text = renderDemo(outcome({ requestsPerSecond: 4, p99LatencyMs: 2400, completed: 12, failed: 0 }, { requestsPerSecond: 40.7, p99LatencyMs: 335, completed: 122, failed: 0 }), '/');
    expect(fixStep(text)).toEqual([
      '                  req/s   p99 latency   stalls',
      '    sync tools      4.0         2.4 s        2',
      '    async tools    40.7        335 ms        0',
      '    → 10× the throughput, p99 latency 7.2× lower',
    ]);
  });

  it('says no request completed, and gives no latency it does not have, when the sync tools completed none in the window', () => {
    const text = renderDemo(outcome({ requestsPerSecond: 0, p99LatencyMs: 0, completed: 0, failed: 0 }, { requestsPerSecond: 40.7, p99LatencyMs: 335, completed: 122, failed: 0 }), '/');
    expect(fixStep(text)).toEqual([
      '                  req/s   p99 latency   stalls',
      '    sync tools      0.0       > 3.0 s        2',
      '    async tools    40.7        335 ms        0',
      '    → with sync tools no request completed in 3 s; with async tools 122 requests did',
    ]);
  });
});
