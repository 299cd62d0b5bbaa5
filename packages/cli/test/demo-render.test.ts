import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderDemo, type DemoOutcome, type PhaseOutcome } from '../src/demo/render.js';
import { p99WithWaiting, type LoadResult } from '../src/demo/load.js';

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
    const text = renderDemo(outcome({ requestsPerSecond: 4, p99LatencyMs: 2400, p99AtLeast: false, completed: 12, failed: 0 }, { requestsPerSecond: 40.7, p99LatencyMs: 335, p99AtLeast: false, completed: 122, failed: 0 }), '/');
    expect(fixStep(text)).toEqual([
      '                  req/s   p99 latency   stalls',
      '    sync tools      4.0         2.4 s        2',
      '    async tools    40.7        335 ms        0',
      '    → 10× the throughput, p99 latency 7.2× lower',
    ]);
  });

  it('gives the sync p99 as a lower bound, and the ratio as "at least", when it is a request still waiting at the end', () => {
    const text = renderDemo(outcome({ requestsPerSecond: 4, p99LatencyMs: 3900, p99AtLeast: true, completed: 12, failed: 0 }, { requestsPerSecond: 40.7, p99LatencyMs: 335, p99AtLeast: false, completed: 122, failed: 0 }), '/');
    expect(fixStep(text)).toEqual([
      '                  req/s   p99 latency   stalls',
      '    sync tools      4.0       > 3.9 s        2',
      '    async tools    40.7        335 ms        0',
      '    → 10× the throughput, p99 latency at least 12× lower',
    ]);
  });

  it('says no request completed, with the wait of the oldest as a lower bound, when the sync tools completed none in the window', () => {
    const text = renderDemo(outcome({ requestsPerSecond: 0, p99LatencyMs: 3400, p99AtLeast: true, completed: 0, failed: 0 }, { requestsPerSecond: 40.7, p99LatencyMs: 335, p99AtLeast: false, completed: 122, failed: 0 }), '/');
    expect(fixStep(text)).toEqual([
      '                  req/s   p99 latency   stalls',
      '    sync tools      0.0       > 3.4 s        2',
      '    async tools    40.7        335 ms        0',
      '    → with sync tools no request completed in 3 s; with async tools 122 requests did',
    ]);
  });
});

describe('the p99 of a load, requests still waiting at its end included', () => {
  const answered = Array.from({ length: 99 }, (_, i) => 100 + i);

  it('is the answered p99 when every request still waiting had waited less', () => {
    expect(p99WithWaiting(answered, [5, 40])).toEqual({ ms: 197, atLeast: false });
    expect(p99WithWaiting([...answered, 500], [])).toEqual({ ms: 198, atLeast: false });
  });

  it('is a lower bound when it falls on a request still waiting: the answered ones alone understate it', () => {
    // 12 answered in the window, 10 sessions each still waiting on a request sent long before.
    const waits = [3900, 3700, 3500, 3300, 3100, 2900, 2700, 2500, 2300, 2100];
    expect(p99WithWaiting([400, 700, 1000, 1200, 1500, 1700, 1900, 2000, 2100, 2200, 2300, 2400], waits)).toEqual({ ms: 3900, atLeast: true });
  });

  it('with nothing answered is the longest wait, and with nothing sent is zero', () => {
    expect(p99WithWaiting([], [3000, 3000, 1200])).toEqual({ ms: 3000, atLeast: true });
    expect(p99WithWaiting([], [])).toEqual({ ms: 0, atLeast: false });
  });

  it('is a lower bound when a request still waiting had waited as long as the p99 answer', () => {
    expect(p99WithWaiting([250], [250])).toEqual({ ms: 250, atLeast: true });
  });
});
