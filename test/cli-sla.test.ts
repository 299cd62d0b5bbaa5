import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { until } from './helpers/until.js';
import { jsonLines, startLive } from './helpers/live-process.js';
import { run } from './helpers/spawn.js';

/*
 * The in-flight SLA (#17) in the CLI: an agent run and an HTTP request held open (the loop free) past
 * AGENT_LAG_IN_FLIGHT_SLA_MS=200 by a real service under the real monitor. `run` prints each breach as it
 * comes and the counts in its summary; `report` lists them and adds the counts up (terminal, --json,
 * HTML); `watch --json` streams the events, and its counts are /metrics'.
 */

const heldOpen = join(repoRoot, 'test/fixtures/cli-sla/held-open.mjs');
const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
const SLA_MS = 200;
const env = { ...process.env, AGENT_LAG_IN_FLIGHT_SLA_MS: String(SLA_MS), AGENT_LAG_STARTUP_GRACE_MS: '50', NO_COLOR: '1' };

type Line = Record<string, unknown>;

/** An age as run, watch and report write it (shared/format-numbers.ts), for ages from 100 ms to 10 s: `231 ms`, `1.2 s`, `1.23 s`. */
const ageText = (ms: number) => (ms >= 999.5 ? `${String(Number((ms / 1000).toFixed(2)))} s` : `${Math.round(ms)} ms`);

const RUN_CONTEXT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'agent_lag.run.id': 'run-7', 'agent_lag.tenant': 'acme' };
const REQUEST_CONTEXT = { 'http.route': '/chat', 'http.request.method': 'GET', 'request.id': 'req-42' };
/** What each breach's line says after its age: the run and the request of the fixture, in words. */
const SUBJECT = { run: 'run of agent triage (tenant acme)', request: 'request GET /chat' } as const;
const FIELDS = { run: 'agent_lag.run.id=run-7', request: 'request.id=req-42' } as const;

describe('agent-lag run and report with the in-flight SLA on', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-cli-sla-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('run prints each breach as it comes and the counts in its summary; report says the same in the terminal, --json and HTML', async () => {
    const log = join(scratch, 'events.ndjson');
    // Asked with run's option, not the variable: --in-flight-sla-ms sets it for the command.
    const { AGENT_LAG_IN_FLIGHT_SLA_MS: _variable, ...runEnv } = env;
    const result = await run([cliBin, 'run', '--report', log, '--in-flight-sla-ms', String(SLA_MS), '--', process.execPath, heldOpen, 'once'], {
      cwd: repoRoot,
      env: runEnv,
      timeoutMs: 90_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('released\n');

    // The monitor's breach events: one for the run, one for the request (it reports each once).
    const events = jsonLines((await readFile(log, 'utf8')).split('\n'));
    const breaches = events.filter((e) => e['type'] === 'sla');
    expect(breaches.map((e) => [e['kind'], e['context']]).sort()).toEqual([
      ['request', REQUEST_CONTEXT],
      ['run', RUN_CONTEXT],
    ]);
    for (const breach of breaches) expect(breach['ageMs'], JSON.stringify(breach)).toBeGreaterThanOrEqual(SLA_MS);
    const kindOf = (breach: Line) => breach['kind'] as 'run' | 'request';
    const summaryEvent = events.find((e) => e['type'] === 'summary');
    expect((summaryEvent?.['sections'] as Line | undefined)?.['sla']).toEqual({ slaMs: SLA_MS, breaches: { run: 1, request: 1 } });

    // run: one stderr line per breach, in the log's order, before the summary.
    const lines = result.stderr.split('\n');
    const summaryAt = lines.findIndex((line) => line.startsWith('agent-lag run:'));
    expect(lines.filter((line) => line.startsWith('[agent-lag] sla'))).toEqual(
      breaches.map((b) => `[agent-lag] sla  ${SUBJECT[kindOf(b)]} in flight ${ageText(b['ageMs'] as number)} > 200 ms  ${FIELDS[kindOf(b)]}`),
    );
    const lastSlaLine = lines.reduce((last, line, index) => (line.startsWith('[agent-lag] sla') ? index : last), -1);
    expect(lastSlaLine).toBeLessThan(summaryAt);
    expect(lines.slice(summaryAt)).toContain('  sla breaches     1 run, 1 request in flight past 200 ms');

    // report, in the terminal: the counts, then each breach.
    const terminal = await run([cliBin, 'report', log], { cwd: repoRoot, env });
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toContain(
      [
        '\nIn-flight SLA breaches',
        '  1 run, 1 request in flight past 200 ms',
        ...breaches.map((b, i) => `  ${i + 1}. ${SUBJECT[kindOf(b)]} in flight ${ageText(b['ageMs'] as number)} > 200 ms  ${FIELDS[kindOf(b)]}`),
        '',
      ].join('\n'),
    );

    // --json: the same counts, and the events as the monitor wrote them.
    const html = join(scratch, 'report.html');
    const json = await run([cliBin, 'report', log, '--json', '--html', html], { cwd: repoRoot, env });
    expect(json.code, json.stderr).toBe(0);
    const model = JSON.parse(json.stdout) as { sla: unknown; processes: { pid: number; sla: unknown }[] };
    expect(model.sla).toEqual({
      slaMs: SLA_MS,
      breaches: { run: 1, request: 1 },
      events: breaches.map(({ type: _type, ...breach }) => breach),
      eventsInLog: 2,
    });
    expect(model.processes.map((p) => p.sla)).toEqual([{ slaMs: SLA_MS, breaches: { run: 1, request: 1 } }]);

    // HTML: the count card and a row per breach.
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<span class="dim">SLA breaches</span><b>2</b>');
    expect(page).toContain('<p class="sla-counts">1 run, 1 request in flight past 200 ms:');
    for (const breach of breaches) {
      const kind = kindOf(breach);
      expect(page).toContain(
        `<td class="text">${kind}</td><td class="text">${SUBJECT[kind]}</td><td>${ageText(breach['ageMs'] as number)}</td><td>200 ms</td><td class="text"><code>${FIELDS[kind]}</code></td><td>${String(breach['pid'])}</td>`,
      );
    }
  }, 120_000);

  it('run says nothing of the SLA when it is off', async () => {
    // Without the SLA the fixture cannot know when to let go: a run of agent-lag's own tool-call fixture instead.
    const { AGENT_LAG_IN_FLIGHT_SLA_MS: _off, ...offEnv } = env;
    const result = await run([cliBin, 'run', '--', process.execPath, join(repoRoot, 'test/fixtures/cli-agents/tool-block.mjs'), 'once'], { cwd: repoRoot, env: offEnv, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('agent-lag run:');
    expect(result.stderr).not.toContain('sla breaches');
    expect(result.stderr).not.toContain('[agent-lag] sla');
  }, 120_000);
});

describe('agent-lag watch with the in-flight SLA on', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('streams each breach (--json) as it happens, and its counts are /metrics\' (merged line, screen)', async () => {
    const service = startLive(['--import', register, heldOpen, 'serve'], {
      cwd: repoRoot,
      env: { ...env, AGENT_LAG_STARTUP_GRACE_MS: '0', AGENT_LAG_METRICS_PORT: '0' },
    });
    cleanups.push(() => service.stop());
    const port = Number((await service.waitForLine((line) => line.startsWith('metrics '), 30_000)).split(' ')[1]);
    await service.waitForLine((line) => line.startsWith('ready '), 30_000);

    const watch = startLive([cliBin, 'watch', '--json', String(service.pid)], { cwd: repoRoot });
    cleanups.push(() => watch.stop());
    await watch.waitForLine((line) => line.includes('"type":"hello"'), 30_000);
    const heldFrom = Date.now();
    service.child.stdin?.write('hold\n');
    await service.waitForLine((line) => line === 'released', 45_000);
    const releasedBy = Date.now();

    const streamed = await until(() => {
      const found = jsonLines(watch.stdoutLines).filter((e) => e['type'] === 'sla');
      return found.length >= 2 ? found : undefined;
    }, 'two sla events in watch --json');
    expect(streamed.map((e) => [e['kind'], e['context']]).sort()).toEqual([
      ['request', REQUEST_CONTEXT],
      ['run', RUN_CONTEXT],
    ]);
    for (const event of streamed) {
      // The event object itself, with the pid it came from.
      expect(Object.keys(event).sort()).toEqual(['ageMs', 'at', 'context', 'kind', 'pid', 'slaMs', 'startedAt', 'type']);
      expect(event).toMatchObject({ pid: service.pid, slaMs: SLA_MS });
      expect(event['startedAt']).toBeGreaterThanOrEqual(heldFrom);
      expect(event['ageMs']).toBeGreaterThanOrEqual(SLA_MS);
      expect(event['ageMs']).toBe((event['at'] as number) - (event['startedAt'] as number));
      expect(event['at']).toBeLessThanOrEqual(releasedBy);
    }

    // The endpoint serves the figures the main thread last handed its worker (within a second of a change).
    const counted = ['agent_lag_sla_breaches_total{kind="run"} 1\n', 'agent_lag_sla_breaches_total{kind="request"} 1\n'];
    let metrics = '';
    await until(async () => {
      metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return counted.every((line) => metrics.includes(line)) ? true : undefined;
    }, 'both breaches counted in /metrics').catch((error: Error) => {
      throw new Error(`${error.message}; last scrape:\n${metrics}`);
    });

    // Stopped, watch ends with the counts of every process added up: the same as /metrics.
    watch.child.kill('SIGINT');
    expect((await watch.exited).code).toBe(0);
    expect(jsonLines(watch.stdoutLines).at(-1)).toMatchObject({ type: 'merged', sla: { slaMs: SLA_MS, breaches: { run: 1, request: 1 } } });

    // The view (not a terminal: printed once at the end) has them in the process's lines.
    const screen = await run([cliBin, 'watch', '--duration', '1', String(service.pid)], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    expect(screen.code, screen.stderr).toBe(0);
    expect(screen.stdout).toContain('\n  sla       1 run, 1 request in flight past 200 ms\n');
  }, 120_000);
});
