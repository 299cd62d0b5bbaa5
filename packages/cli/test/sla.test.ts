import { Chalk } from 'chalk';
import chalk from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogAggregator, SLA_LISTED } from '../src/report/aggregate.js';
import { renderHtml } from '../src/report/html.js';
import { logFigures } from '../src/report/log-figures.js';
import { buildReport } from '../src/report/model.js';
import { emptyLog, readLiveEvent } from '../src/report/read-log.js';
import { renderTerminal } from '../src/report/terminal.js';
import { RunReport } from '../src/run/run-report.js';
import { formatSummary } from '../src/shared/format.js';
import { formatSlaCounts, formatSlaLine, mergeSlaCounts, readSlaRecord, readSlaSection, type SlaRecord } from '../src/shared/sla.js';
import { renderScreen } from '../src/watch/screen.js';
import { WatchState } from '../src/watch/watch-state.js';
import type { MonitorSnapshot } from '../src/shared/monitor-types.js';

/*
 * The in-flight SLA (#17) in the CLI: one `sla` event per run or request the monitor saw in flight past
 * `inFlightSlaMs`, and the counts of `sections.sla`, worded the same in `run`, `watch` and `report`.
 */

const T0 = 1_796_000_000_000;
const plain = new Chalk({ level: 0 });

/** An `sla` line as the monitor writes it (types.ts SlaEvent, plus the writer's pid). */
function slaLine(kind: string, ageMs: number, context: Record<string, unknown> | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'sla', at: T0 + ageMs, kind, ageMs, slaMs: 200, startedAt: T0, context, pid: 4711, ...extra };
}

const run = (ageMs = 231) => slaLine('run', ageMs, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'agent_lag.run.id': 'run-7', 'agent_lag.tenant': 'acme' });
const request = (ageMs = 1234) => slaLine('request', ageMs, { 'http.route': '/chat', 'http.request.method': 'GET', 'request.id': 'req-42' });

function record(line: Record<string, unknown>): SlaRecord {
  const read = readSlaRecord(line);
  if (!read) throw new Error('not an sla event');
  return read;
}

/** A summary or checkpoint line with the monitor's `sections.sla`. */
function snapshotLine(type: 'summary' | 'checkpoint', pid: number, at: number, breaches: { run: number; request: number } | null): Record<string, unknown> {
  return { type, pid, at, thresholdMs: 100, mode: 'full', sections: breaches === null ? {} : { sla: { slaMs: 200, breaches } } };
}

function figuresOf(lines: Record<string, unknown>[]) {
  const log = { ...emptyLog('events.ndjson'), aggregate: new LogAggregator('events.ndjson') };
  for (const line of lines) {
    const read = readLiveEvent(line);
    if (read) log.aggregate.add(read);
  }
  return { log, figures: logFigures(log) };
}

describe('the sla line (run, watch)', () => {
  it('names an agent run in words, its tool and tenant in parentheses, the rest of its context as key=value', () => {
    expect(formatSlaLine(record(run()), plain)).toBe('sla  run of agent triage (tenant acme) in flight 231 ms > 200 ms  agent_lag.run.id=run-7');
    const toolCall = slaLine('run', 31_200, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'summarize_repo', 'gen_ai.agent.name': 'triage', 'agent_lag.tenant': 'acme' }, { slaMs: 30_000 });
    expect(formatSlaLine(record(toolCall), plain)).toBe('sla  run of agent triage (tool summarize_repo, tenant acme) in flight 31.2 s > 30 s');
    // A tool call of no agent (an MCP server's), over MCP: the SDK is said as a field.
    const mcp = slaLine('run', 250, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'agent_lag.sdk': 'mcp' });
    expect(formatSlaLine(record(mcp), plain)).toBe('sla  run of tool read_file in flight 250 ms > 200 ms  agent_lag.sdk=mcp');
    // An operation the words do not say (a model call) is kept.
    const chat = slaLine('run', 250, { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'triage' });
    expect(formatSlaLine(record(chat), plain)).toBe('sla  run of agent triage in flight 250 ms > 200 ms  gen_ai.operation.name=chat');
  });

  it('names a request by method and route, with its id; a run inside a request keeps the request fields', () => {
    expect(formatSlaLine(record(request()), plain)).toBe('sla  request GET /chat in flight 1.23 s > 200 ms  request.id=req-42');
    const inside = slaLine('run', 240, { 'http.route': '/agent', 'http.request.method': 'POST', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' });
    expect(formatSlaLine(record(inside), plain)).toBe('sla  run of agent triage in flight 240 ms > 200 ms  http.route=/agent http.request.method=POST');
  });

  it('says only what the event holds: no context, or a kind a newer monitor uses', () => {
    expect(formatSlaLine(record(slaLine('run', 205, null)), plain)).toBe('sla  run in flight 205 ms > 200 ms');
    expect(formatSlaLine(record(slaLine('request', 205, {})), plain)).toBe('sla  request in flight 205 ms > 200 ms');
    expect(formatSlaLine(record(slaLine('stream', 205, { 'x.id': 3 })), plain)).toBe('sla  stream in flight 205 ms > 200 ms  x.id=3');
  });

  it('reads only the fields of an sla event, and refuses one without its figures', () => {
    const read = readSlaRecord({ ...run(), secret: 'sk-live-123', context: { ok: 'yes', nested: { no: 1 }, big: Infinity } });
    expect(read).toEqual({ pid: 4711, at: T0 + 231, kind: 'run', ageMs: 231, slaMs: 200, startedAt: T0, context: { ok: 'yes' } });
    expect(readSlaRecord({ ...run(), ageMs: '231' })).toBeNull();
    expect(readSlaRecord({ ...run(), kind: undefined })).toBeNull();
    expect(readSlaRecord({ ...run(), type: 'block' })).toBeNull();
    // In a log, such a line is skipped (run goes on), not fatal.
    expect(readLiveEvent({ ...run(), startedAt: null })).toBeNull();
  });

  it("is printed by run as it comes, once per event", () => {
    const report = new RunReport('events.ndjson');
    const live = report.add(run());
    expect(live && 'sla' in live ? formatSlaLine(live.sla, plain) : null).toBe('sla  run of agent triage (tenant acme) in flight 231 ms > 200 ms  agent_lag.run.id=run-7');
    expect(report.add(snapshotLine('checkpoint', 4711, T0 + 300, { run: 1, request: 0 }))).toBeNull();
  });
});

describe('the breach counts', () => {
  it('reads sections.sla defensively and adds processes up', () => {
    expect(readSlaSection({ sla: { slaMs: 200, breaches: { run: 2, request: 1 } } })).toEqual({ slaMs: 200, breaches: { run: 2, request: 1 } });
    expect(readSlaSection({ sla: { slaMs: 200, breaches: { run: -1, request: 'x' } } })).toEqual({ slaMs: 200, breaches: { run: 0, request: 0 } });
    expect(readSlaSection({ sla: { slaMs: 200 } })).toBeNull();
    expect(readSlaSection({})).toBeNull();
    expect(readSlaSection(undefined)).toBeNull();
    const a = { slaMs: 200, breaches: { run: 1, request: 0 } };
    const b = { slaMs: 200, breaches: { run: 2, request: 3 } };
    expect(mergeSlaCounts([a, null, b])).toEqual({ slaMs: 200, breaches: { run: 3, request: 3 } });
    expect(mergeSlaCounts([null, null])).toBeNull();
    const other = mergeSlaCounts([a, { slaMs: 500, breaches: { run: 0, request: 1 } }]);
    expect(other).toEqual({ slaMs: null, breaches: { run: 1, request: 1 } });
    expect(formatSlaCounts(other!)).toBe('1 run, 1 request in flight past their SLA');
    expect(formatSlaCounts(b)).toBe('2 runs, 3 requests in flight past 200 ms');
    expect(formatSlaCounts({ slaMs: 30_000, breaches: { run: 0, request: 0 } })).toBe('0 runs, 0 requests in flight past 30 s');
  });

  it("are each process's last summary or checkpoint, added up; a breach logged after a checkpoint counts too", () => {
    const { figures } = figuresOf([
      // pid 4711 exits with a summary; pid 4712 is killed: its last checkpoint predates its second breach.
      snapshotLine('checkpoint', 4711, T0 + 100, { run: 0, request: 0 }),
      run(),
      request(),
      snapshotLine('summary', 4711, T0 + 2000, { run: 1, request: 1 }),
      slaLine('run', 300, null, { pid: 4712 }),
      snapshotLine('checkpoint', 4712, T0 + 400, { run: 1, request: 0 }),
      slaLine('request', 700, null, { pid: 4712 }),
    ]);
    expect(figures.processes.map((p) => [p.pid, p.sla])).toEqual([
      [4711, { slaMs: 200, breaches: { run: 1, request: 1 } }],
      [4712, { slaMs: 200, breaches: { run: 1, request: 1 } }],
    ]);
    expect(figures.sla).toMatchObject({ slaMs: 200, breaches: { run: 2, request: 2 }, eventsInLog: 4 });
    expect(figures.sla?.events.map((e) => [e.pid, e.kind, e.ageMs])).toEqual([
      [4711, 'run', 231],
      [4711, 'request', 1234],
      [4712, 'run', 300],
      [4712, 'request', 700],
    ]);
  });

  it('are absent when no process had the SLA on, and zero when it was on and nothing breached', () => {
    expect(figuresOf([snapshotLine('summary', 4711, T0, null)]).figures.sla).toBeNull();
    expect(figuresOf([snapshotLine('summary', 4711, T0, { run: 0, request: 0 })]).figures.sla).toEqual({ slaMs: 200, breaches: { run: 0, request: 0 }, events: [], eventsInLog: 0 });
  });

  it("keep the list of a long log bounded, and count the rest", () => {
    const lines = Array.from({ length: SLA_LISTED + 7 }, (_, i) => slaLine('request', 200 + i, null));
    const { figures } = figuresOf([...lines, snapshotLine('summary', 4711, T0 + 5000, { run: 0, request: SLA_LISTED + 7 })]);
    expect(figures.sla?.events).toHaveLength(SLA_LISTED);
    expect(figures.sla?.eventsInLog).toBe(SLA_LISTED + 7);
    expect(figures.sla?.breaches.request).toBe(SLA_LISTED + 7);
  });
});

describe('run summary, report and watch say the same counts', () => {
  const lines = [run(), request(), snapshotLine('summary', 4711, T0 + 2000, { run: 1, request: 1 })];
  let level: typeof chalk.level;
  beforeAll(() => {
    level = chalk.level;
    chalk.level = 0;
  });
  afterAll(() => {
    chalk.level = level;
  });

  it("run's summary: one line of counts, only with the SLA on", () => {
    const { figures } = figuresOf(lines);
    expect(formatSummary({ figures, title: 'agent-lag run: x' }, plain)).toContain('  sla breaches     1 run, 1 request in flight past 200 ms');
    const off = figuresOf([snapshotLine('summary', 4711, T0, null)]).figures;
    expect(formatSummary({ figures: off, title: 'agent-lag run: x' }, plain).join('\n')).not.toContain('sla');
  });

  it("report: the counts and each breach, in the terminal, --json and HTML", () => {
    const model = buildReport(figuresOf(lines).log);
    const text = renderTerminal(model);
    expect(text).toContain(
      [
        'In-flight SLA breaches',
        '  1 run, 1 request in flight past 200 ms',
        '  1. run of agent triage (tenant acme) in flight 231 ms > 200 ms  agent_lag.run.id=run-7',
        '  2. request GET /chat in flight 1.23 s > 200 ms  request.id=req-42',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(JSON.stringify(model)) as { sla: { slaMs: number; breaches: { run: number; request: number }; events: { kind: string; ageMs: number }[] } };
    expect(json.sla).toMatchObject({ slaMs: 200, breaches: { run: 1, request: 1 }, eventsInLog: 2 });
    expect(json.sla.events.map((e) => [e.kind, e.ageMs])).toEqual([
      ['run', 231],
      ['request', 1234],
    ]);
    const html = renderHtml(model, '0.0.0');
    expect(html).toContain('<span class="dim">SLA breaches</span><b>2</b>');
    expect(html).toContain('<p class="sla-counts">1 run, 1 request in flight past 200 ms:');
    expect(html).toContain('<td class="text">run</td><td class="text">run of agent triage (tenant acme)</td><td>231 ms</td><td>200 ms</td><td class="text"><code>agent_lag.run.id=run-7</code></td><td>4711</td>');
    expect(renderTerminal(buildReport(figuresOf([snapshotLine('summary', 4711, T0, null)]).log))).not.toContain('SLA');
  });

  it("watch's screen: the counts in the process's lines, and the latest breaches", () => {
    const state = new WatchState();
    state.addProcess({ type: 'hello', version: '0.1.0', pid: 4711, thresholdMs: 100, mode: 'full' }, '/tmp/x.sock');
    const snapshot = {
      pid: 4711,
      at: T0 + 2000,
      uptimeMs: 3000,
      thresholdMs: 100,
      mode: 'full',
      lag: { minMs: 0, maxMs: 1, meanMs: 0.5, stddevMs: 0, p50Ms: 0.5, p90Ms: 1, p99Ms: 1 },
      utilization: 0.1,
      stalls: { count: 0, startupCount: 0, totalMs: 0, maxMs: 0, p50Ms: 0, p99Ms: 0, histogram: '', worst: [] },
      threadPool: null,
      topStacks: [],
      syncCalls: [],
      sections: { sla: { slaMs: 200, breaches: { run: 1, request: 1 } } },
    } as unknown as MonitorSnapshot;
    state.setSnapshot(4711, snapshot);
    state.addSlaBreach(4711, record(run()));
    state.addSlaBreach(4711, record(request()));
    const screen = renderScreen(state, { columns: 160, rows: 60 }, plain, T0 + 2000);
    expect(screen).toContain('  sla       1 run, 1 request in flight past 200 ms');
    const at = screen.indexOf('latest SLA breaches');
    const when = (ms: number) => new Date(T0 + ms).toLocaleTimeString('en-GB', { hour12: false });
    expect(screen.slice(at, at + 3)).toEqual([
      'latest SLA breaches',
      `  ${when(1234)}  sla  request GET /chat in flight 1.23 s > 200 ms  request.id=req-42`,
      `  ${when(231)}  sla  run of agent triage (tenant acme) in flight 231 ms > 200 ms  agent_lag.run.id=run-7`,
    ]);
  });
});
