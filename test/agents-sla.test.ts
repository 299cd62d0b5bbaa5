import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { until } from './helpers/until.js';
import { jsonLines, startLive, type LiveProcess } from './helpers/live-process.js';

/*
 * The in-flight SLA (#17): an agent run held open past AGENT_LAG_IN_FLIGHT_SLA_MS gets one `sla` event in
 * the log, with its age and context, and counts once in agent_lag_sla_breaches_total{kind="run"}.
 */

const toolBlock = join(repoRoot, 'test/fixtures/cli-agents/tool-block.mjs');
const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
const SLA_MS = 500;

type Line = Record<string, unknown>;

async function readLog(path: string): Promise<Line[]> {
  try {
    return jsonLines((await readFile(path, 'utf8')).split('\n'));
  } catch {
    return [];
  }
}

describe('in-flight SLA (AGENT_LAG_IN_FLIGHT_SLA_MS)', () => {
  let scratch: string;
  let app: LiveProcess | null = null;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-sla-'));
  });

  afterAll(async () => {
    await app?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes one sla event for a run held open past the SLA, and counts it once in /metrics and the summary', async () => {
    const report = join(scratch, 'events.ndjson');
    app = startLive(['--import', register, toolBlock, 'serve'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        AGENT_LAG_REPORT: report,
        AGENT_LAG_SOCKET: '0',
        AGENT_LAG_STARTUP_GRACE_MS: '0',
        AGENT_LAG_METRICS_PORT: '0',
        AGENT_LAG_IN_FLIGHT_SLA_MS: String(SLA_MS),
      },
    });
    const port = Number((await app.waitForLine((line) => line.startsWith('metrics '), 30_000)).split(' ')[1]);
    await app.waitForLine((line) => line.startsWith('ready'), 30_000);
    const sentAt = Date.now();
    app.child.stdin?.write('hold\n');
    await app.waitForLine((line) => line === 'holding');
    const seenAt = Date.now();

    const slaEvents = (lines: Line[]) => lines.filter((line) => line['type'] === 'sla');
    const [event] = await until(async () => {
      const found = slaEvents(await readLog(report));
      return found.length > 0 ? found : undefined;
    }, 'an sla event in the log');
    expect(event).toMatchObject({
      type: 'sla',
      kind: 'run',
      slaMs: SLA_MS,
      pid: app.pid,
      context: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'agent_lag.tenant': 'acme' },
    });
    const startedAt = event!['startedAt'] as number;
    expect(startedAt).toBeGreaterThanOrEqual(sentAt);
    expect(startedAt).toBeLessThanOrEqual(seenAt);
    expect(event!['ageMs']).toBeGreaterThanOrEqual(SLA_MS);
    expect(event!['ageMs']).toBe((event!['at'] as number) - startedAt);

    // Once per run: the run stays open for several more checks (each a quarter of the SLA).
    await until(() => (Date.now() - startedAt >= 4 * SLA_MS ? true : undefined), 'the run held open for 4 SLAs');
    const metrics = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text.includes('agent_lag_sla_breaches_total') ? text : undefined;
    }, 'the breach counter in /metrics');
    expect(metrics).toContain('agent_lag_sla_breaches_total{kind="run"} 1\n');
    expect(metrics).toContain('agent_lag_sla_breaches_total{kind="request"} 0\n');

    app.child.stdin?.write('release\n');
    await app.stop();
    const lines = await readLog(report);
    expect(slaEvents(lines)).toHaveLength(1);
    const summary = lines.find((line) => line['type'] === 'summary');
    expect((summary?.['sections'] as Line | undefined)?.['sla']).toEqual({ slaMs: SLA_MS, breaches: { run: 1, request: 0 } });
  }, 90_000);
});
