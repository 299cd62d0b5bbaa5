import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { LagSeries } from '../src/report/aggregate.js';
import { mergeAgentFigures, readAgentsSection } from '../src/shared/agents-section.js';
import { agentRunTable, toolTable } from '../src/shared/agents-table.js';

const T0 = 1_767_225_600_000;
const plain = new Chalk({ level: 0 });

/** The section as the monitor publishes it (RunFigures.section), `waits` included. */
function section(tools: Record<string, unknown>[], agents: Record<string, unknown>[]) {
  return { agents: { at: T0, tools, agents } };
}

const tool = (name: string, blockedMs: number, extra: Record<string, unknown> = {}) => ({
  tool: name,
  calls: 2,
  blocks: blockedMs > 0 ? 1 : 0,
  blockedMs,
  worstBlockMs: blockedMs,
  waitedMs: 5,
  waits: 1,
  inFlight: 0,
  ...extra,
});

describe('readAgentsSection', () => {
  it('reads tools worst blocked first and agents most in flight first, with ages as of the given moment', () => {
    const figures = readAgentsSection(
      section(
        [tool('search', 0), tool('summarize_repo', 410, { inFlight: 1 })],
        [
          { agent: 'triage', tenant: '', inFlight: 0, oldestInFlightStartedAt: null },
          { agent: 'triage', tenant: 'acme', inFlight: 2, oldestInFlightStartedAt: T0 - 1500 },
        ],
      ),
      T0,
    );
    expect(figures).toEqual({
      tools: [
        { tool: 'summarize_repo', calls: 2, blocks: 1, blockedMs: 410, worstBlockMs: 410, waitedMs: 5, inFlight: 1 },
        { tool: 'search', calls: 2, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 5, inFlight: 0 },
      ],
      agents: [
        { agent: 'triage', tenant: 'acme', inFlight: 2, oldestInFlightStartedAt: T0 - 1500, oldestAgeMs: 1500 },
        { agent: 'triage', tenant: '', inFlight: 0, oldestInFlightStartedAt: null, oldestAgeMs: null },
      ],
    });
  });

  it('is null without the section (a process that tracked no run) and reads a malformed one defensively', () => {
    expect(readAgentsSection({ routes: { routes: [] } }, T0)).toBeNull();
    expect(readAgentsSection(undefined, T0)).toBeNull();
    expect(readAgentsSection({ agents: [] }, T0)).toBeNull();
    expect(readAgentsSection({ agents: { tools: 'x', agents: [null, 3, { inFlight: -1, oldestInFlightStartedAt: 'soon' }] } }, T0)).toEqual({
      tools: [],
      agents: [{ agent: '', tenant: '', inFlight: 0, oldestInFlightStartedAt: null, oldestAgeMs: null }],
    });
    // A start later than the reading moment (clocks of two machines) is not a negative age.
    expect(readAgentsSection(section([], [{ agent: 'a', tenant: '', inFlight: 1, oldestInFlightStartedAt: T0 + 50 }]), T0)?.agents[0]?.oldestAgeMs).toBe(0);
  });
});

describe('mergeAgentFigures', () => {
  it('adds tools up by name and agents by agent and tenant, the worst block and the oldest run kept', () => {
    const first = readAgentsSection(
      section([tool('summarize_repo', 300)], [{ agent: 'triage', tenant: 'acme', inFlight: 1, oldestInFlightStartedAt: T0 - 200 }]),
      T0,
    );
    const second = readAgentsSection(
      section([tool('summarize_repo', 500), tool('search', 0)], [{ agent: 'triage', tenant: 'acme', inFlight: 2, oldestInFlightStartedAt: T0 - 900 }]),
      T0,
    );
    expect(mergeAgentFigures([first, null, second])).toEqual({
      tools: [
        { tool: 'summarize_repo', calls: 4, blocks: 2, blockedMs: 800, worstBlockMs: 500, waitedMs: 10, inFlight: 0 },
        { tool: 'search', calls: 2, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 5, inFlight: 0 },
      ],
      agents: [{ agent: 'triage', tenant: 'acme', inFlight: 3, oldestInFlightStartedAt: T0 - 900, oldestAgeMs: 900 }],
    });
    expect(mergeAgentFigures([null, null])).toBeNull();
  });
});

describe('the tool and agent-run tables', () => {
  it('lines up names left and figures right, a dash for no block, no agent or no tenant', () => {
    const figures = readAgentsSection(
      section(
        [tool('summarize_repo', 410), tool('search', 0)],
        [
          { agent: 'triage', tenant: 'acme', inFlight: 1, oldestInFlightStartedAt: T0 - 2500 },
          { agent: '', tenant: '', inFlight: 0, oldestInFlightStartedAt: null },
        ],
      ),
      T0,
    );
    if (!figures) throw new Error('no figures');
    const options = { color: plain, indent: '  ' };
    expect(toolTable(figures, options)).toEqual([
      '  tool            calls  blocks  blocked   worst  waited',
      '  summarize_repo      2       1   410 ms  410 ms    5 ms',
      '  search              2       0     0 ms       –    5 ms',
    ]);
    expect(agentRunTable(figures, options)).toEqual([
      '  agent   tenant  runs in flight  oldest',
      '  triage  acme                 1   2.5 s',
      '  –       –                    0       –',
    ]);
    expect(toolTable(figures, { ...options, maxRows: 1 })).toHaveLength(2);
    expect(toolTable({ tools: [], agents: [] }, options)).toEqual([]);
  });
});

describe('LagSeries', () => {
  const lag = (at: number, windowMs: number) => ({
    at,
    windowMs,
    pid: 1,
    lag: { minMs: 1, maxMs: 5, meanMs: 2, p50Ms: 1, p90Ms: 3, p99Ms: 4 },
    utilization: 0.1,
  });

  it("gives a point of one window that window's length, and none to a point that merges several", () => {
    const series = new LagSeries();
    series.add(lag(T0 + 10_000, 10_000));
    series.add(lag(T0 + 20_000, 10_000));
    series.add(lag(T0 + 30_000, 0)); // an older monitor's window, which did not say
    expect(series.points().map((p) => p.windowMs)).toEqual([10_000, 10_000, undefined]);

    const many = new LagSeries();
    for (let i = 1; i <= 1000; i++) many.add(lag(T0 + i * 1000, 1000));
    const points = many.points();
    expect(points.length).toBeLessThanOrEqual(400);
    for (const point of points) expect(point.windowMs).toBe(point.windows === 1 ? 1000 : undefined);
  });
});
