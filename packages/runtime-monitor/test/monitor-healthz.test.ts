import { afterAll, describe, expect, it } from 'vitest';
import { startLive, type LiveProcess } from '../../../test/helpers/live-process.js';
import { fixture, tempDir } from './monitor-helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

interface Health {
  status: string;
  stalledMs: number;
  unhealthyAfterMs: number | null;
}

async function health(port: number): Promise<{ status: number; body: Health }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Health };
}

/** Polls /healthz until `accept` takes an answer; fails with the answers seen when the deadline passes. */
async function healthUntil(port: number, accept: (answer: { status: number; body: Health }) => boolean, deadlineMs: number, live: LiveProcess) {
  const seen: string[] = [];
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const answer = await health(port);
    if (accept(answer)) return answer;
    seen.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    if (performance.now() > deadline) throw new Error(`no matching /healthz answer within ${deadlineMs} ms; seen:\n${seen.join('\n')}\nstderr:\n${live.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('/healthz with metricsEndpoint.unhealthyAfterMs (real process, served by the watchdog worker)', () => {
  it('answers 503 with the stall’s age while the loop is blocked longer than unhealthyAfterMs, and 200 again after', async () => {
    const live = startLive([fixture('healthz.mjs')], {
      env: {
        ...process.env,
        XDG_RUNTIME_DIR: temp.dir,
        AGENT_LAG_TEST: JSON.stringify({ blockMs: 2000, options: { thresholdMs: 100, metricsEndpoint: { port: 0, unhealthyAfterMs: 500 } } }),
      },
    });
    try {
      const line = await live.waitForLine((text) => text.startsWith('{"endpoint"'), 30_000);
      const { endpoint } = JSON.parse(line) as { endpoint: { host: string; port: number } | null };
      expect(endpoint, live.stderr()).not.toBeNull();
      const port = endpoint?.port ?? 0;

      // Idle: healthy, and the limit is echoed.
      const before = await health(port);
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ status: 'ok', stalledMs: 0, unhealthyAfterMs: 500 });

      live.child.stdin?.write('block\n');
      await live.waitForLine((text) => text === 'blocking');
      // The worker answers while the main thread spins: once the stall is older than 500 ms, 503 with its age.
      const during = await healthUntil(port, (answer) => answer.status === 503, 10_000, live);
      expect(during.body.status).toBe('stalled');
      expect(during.body.stalledMs).toBeGreaterThan(500);
      expect(during.body.unhealthyAfterMs).toBe(500);

      await live.waitForLine((text) => text === 'unblocked', 30_000);
      const after = await healthUntil(port, (answer) => answer.status === 200, 10_000, live);
      expect(after.body).toMatchObject({ status: 'ok', stalledMs: 0 });

      live.child.stdin?.write('stop\n');
      expect(await live.exited).toEqual({ code: 0, signal: null });
    } finally {
      await live.stop();
    }
  }, 60_000);
});
