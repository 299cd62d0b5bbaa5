import { describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';
import { portAccepts } from './helpers/ports.js';


/** The text of one numbered step of the demo's screen (" 2  While it runs…" up to the next step). */
function step(stdout: string, n: number): string {
  const start = stdout.indexOf(`\n ${n} `);
  const next = stdout.indexOf(`\n ${n + 1} `, start + 1);
  const end = next === -1 ? stdout.indexOf('\nOn your own service:') : next;
  expect(start, `step ${n} in the demo output`).toBeGreaterThan(-1);
  return stdout.slice(start, end);
}

describe('agent-lag demo', () => {
  it('shows the planted blocking call at the same file:line in lint and at run time, then the async speed-up', async () => {
    const { code, stdout, stderr } = await run([cliBin, 'demo', '--duration', '3'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      timeoutMs: 90_000,
    });
    expect(stderr).not.toMatch(/agent-lag: /);
    expect(code).toBe(0);

    const lint = step(stdout, 1);
    expect(lint).toMatch(/examples\/agent-service\/sync-tools\.js:16:\d+ +child_process\.execSync/);
    expect(lint).toMatch(/examples\/agent-service\/sync-tools\.js:10:\d+ +fs\.readFileSync/);
    // Start-up code (config.js reads its file synchronously at top level) is not reported.
    expect(lint).not.toContain('config.js');

    const runtime = step(stdout, 2);
    expect(runtime).toMatch(/\d+ stalls? over 50 ms/);
    // The stall names the agent's tool call it interrupted (the service runs each tool call under trackRun).
    expect(runtime).toMatch(
      /examples\/agent-service\/sync-tools\.js:16:\d+ +child_process\.execSync +\d+ stalls?, [\d.]+ m?s +during tool shell of agent support +✔ lint reported this line too/,
    );

    const fix = step(stdout, 3);
    // A p99 that is a request still waiting when the load stopped is a lower bound ('> 3.9 s'); on a busy machine
    // the sync tools may complete no request in the 3 s (packages/cli/test/demo-render.test.ts).
    expect(fix).toMatch(/sync tools +[\d.]+ +>? ?[\d.]+ m?s +\d+/);
    expect(fix).toMatch(/async tools +[\d.]+ +>? ?[\d.]+ m?s +\d+/);
    expect(fix).toMatch(/→ [\d.]+× the throughput|→ with sync tools no request completed in 3 s; with async tools \d+ requests? did/);

    // Both services were started on loopback ports it printed, and both are gone now.
    const ports = [...stderr.matchAll(/http:\/\/127\.0\.0\.1:(\d+)\/agent\/run/g)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(2);
    for (const port of ports) expect(await portAccepts(port)).toBe(false);
  });

  it.each([
    [['--duration', '0'], /^agent-lag: --duration must be a number above 0 and at most 60, got "0"$/],
    [['--connections', 'many'], /^agent-lag: --connections must be a number above 0 and at most 1000, got "many"$/],
  ])('%j → one line, exit 2', async (args, expected) => {
    const { code, stdout, stderr } = await run([cliBin, 'demo', ...args], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(stderr.trim()).toMatch(expected);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
