import { get } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { jsonLines, startLive, type LiveProcess } from './helpers/live-process.js';
import { run } from './helpers/spawn.js';

/*
 * Issue 15: a monitored process's hint, stack and summary never hold the secrets on its command lines,
 * wherever they are read: the log, run's terminal output, watch --json, /metrics, the HTML report.
 */

const fixture = join(repoRoot, 'test/fixtures/security/secret-command.mjs');
/** The secrets on the fixture's command line, and fragments of them (a cut-off secret is still a leak). */
const SECRETS = ['tok_e2e_9f8e7d6c5b4a', '9f8e7d6c5b4a', 'pw-e2e-s3cr3t', 's3cr3t', 'urlpass-e2e', 'urlpass', 'sk-proj-e2eABCDEFGHIJKLMNOPQRSTUV', 'e2eABCDEF'];

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds ${secret}:\n${text.slice(0, 4000)}`).toBe(false);
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('secrets on a command line (issue 15)', () => {
  it('never reach the log, run, watch --json, /metrics or the HTML report; the API and the program do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-lag-redact-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const log = join(dir, 'events.ndjson');
    const env = { ...process.env, AGENT_LAG_STARTUP_GRACE_MS: '0', AGENT_LAG_METRICS_PORT: '0', NO_COLOR: '1' };
    const runner: LiveProcess = startLive([cliBin, 'run', '--threshold-ms', '100', '--report', log, '--', process.execPath, fixture, dir], { cwd: repoRoot, env });
    cleanups.push(() => runner.stop());
    const ready = await runner.waitForLine((line) => line.startsWith('ready '), 30_000);
    const [, pid, port] = ready.split(' ');
    expect(Number(port)).toBeGreaterThan(0);

    const watch = startLive([cliBin, 'watch', '--json', pid!], { cwd: repoRoot, env });
    cleanups.push(() => watch.stop());
    await watch.waitForLine((line) => line.includes('"hello"'), 30_000);

    await writeFile(join(dir, 'go'), '');
    await runner.waitForLine((line) => line === 'blocked', 30_000);
    // The block this test caused: the execSync, named by the sync wrapper (its final event, not only the ongoing one).
    const isOurs = (event: Record<string, unknown>) =>
      event['type'] === 'block' && event['ongoing'] !== true && JSON.stringify(event['inFlight'] ?? null).includes('child_process.execSync');
    await until(() => jsonLines(watch.stdoutLines).some(isOurs), 'the block on watch --json');
    const ours = jsonLines(watch.stdoutLines).find(isOurs)!;
    expect((ours['inFlight'] as { hint: string }).hint).toMatch(/^sleep 0\.5 \|\| curl -H 'Authorization: \[redacted\]' --password=\[redacted\] https:\/\/\[redacted\]@example\.invalid\/x \[redacted\]/);

    // Snapshots (topStacks, syncCalls) through the socket and /metrics while the process lives.
    const metrics = await httpGet(Number(port), '/metrics');
    expect(metrics).toContain('agent_lag_stalls_total');
    expectNoSecret('/metrics', metrics);

    await writeFile(join(dir, 'done'), '');
    const exit = await runner.exited;
    expect(exit.code, runner.stderr()).toBe(0);
    await watch.stop();

    expectNoSecret('watch --json', watch.stdoutLines.join('\n'));
    const terminal = runner.stdoutLines.join('\n') + runner.stderr();
    expectNoSecret("run's terminal output", terminal);
    expect(terminal).toContain('child_process.execSync "sleep 0.5 || curl');

    const logText = await readFile(log, 'utf8');
    expectNoSecret('the event log', logText);
    expect(logText).toContain('child_process.execSync');
    expect(logText).toContain('[redacted]');
    // The summary's topStacks and syncCalls, where the whole command used to be.
    expect(logText).toMatch(/"type":"summary"/);

    const html = join(dir, 'report.html');
    const report = await run([cliBin, 'report', log, '--html', html], { cwd: repoRoot, env });
    expect(report.code, report.stderr).toBe(0);
    expectNoSecret('report (terminal)', report.stdout);
    const page = await readFile(html, 'utf8');
    expectNoSecret('the HTML report', page);
    expect(page).toContain('child_process.execSync');
    expect(page).toContain('sleep 0.5');
  }, 120_000);
});
