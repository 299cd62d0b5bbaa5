import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ThreadPoolFigures } from '../src/types.js';
import { startThreadPoolProbe } from '../src/threadpool/index.js';
import { run } from '../../../test/helpers/spawn.js';

const probeModule = new URL('../dist/threadpool/index.js', import.meta.url).href;

/**
 * Runs in a fresh process with a 2-thread pool: figures while idle, then while 6 pbkdf2 jobs (several
 * hundred ms each) hold both threads. The script exits on its own: the probe's timer is unref'd.
 */
const script = `
import { pbkdf2 } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
const { startThreadPoolProbe } = await import(${JSON.stringify(probeModule)});
const idle = startThreadPoolProbe({ intervalMs: 20 });
await sleep(300);
const idleFigures = idle.figures();
idle.stop();
const jobs = Array.from({ length: 6 }, () => new Promise((resolve) => pbkdf2('pw', 'salt', 200000, 64, 'sha512', resolve)));
const busy = startThreadPoolProbe({ intervalMs: 20 });
await Promise.all(jobs);
// The probe's own job queued behind the pbkdf2 jobs, so it may complete just after them.
let busyFigures = busy.figures();
for (let i = 0; i < 100 && busyFigures === null; i++) {
  await sleep(20);
  busyFigures = busy.figures();
}
busy.stop();
// Probes queued behind pbkdf2 jobs one at a time, each delay seen as it completes: the figures' max must be
// the longest of them exactly (the native histogram alone reads it as its bucket's top, ~0.1% higher).
const exact = startThreadPoolProbe({ intervalMs: 1000, timer: false });
const delays = [];
for (let round = 0; round < 3; round++) {
  const held = Array.from({ length: 2 }, () => new Promise((resolve) => pbkdf2('pw', 'salt', 100000 + round * 37000, 64, 'sha512', resolve)));
  const before = exact.figures()?.samples ?? 0;
  exact.probe();
  await Promise.all(held);
  for (let i = 0; i < 200 && (exact.figures()?.samples ?? 0) === before; i++) await sleep(5);
  delays.push(exact.figures().lastMs);
}
const exactFigures = exact.figures();
exact.stop();
startThreadPoolProbe({ intervalMs: 10 }); // never stopped: must not keep the process alive
console.log(JSON.stringify({ idle: idleFigures, busy: busyFigures, exact: exactFigures, delays }));
`;

describe('startThreadPoolProbe', () => {
  it('shows a small delay when the pool is idle and a large one when pbkdf2 saturates it', async () => {
    const result = await run(['--input-type=module', '-e', script], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '2' },
      timeoutMs: 30_000,
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { idle, busy, exact, delays } = JSON.parse(result.stdout) as { idle: ThreadPoolFigures; busy: ThreadPoolFigures; exact: ThreadPoolFigures; delays: number[] };
    expect(idle.samples).toBeGreaterThan(0);
    expect(idle.p50Ms).toBeLessThan(50);
    expect(busy.samples).toBeGreaterThan(0);
    // The probe queued behind at least one round of pbkdf2 jobs: far beyond the idle figure.
    expect(busy.maxMs).toBeGreaterThan(100);
    expect(busy.maxMs).toBeGreaterThan(idle.p50Ms * 10);
    // Percentiles never above the max, and the max exact (to the microsecond the probe records).
    for (const figures of [idle, busy, exact]) {
      expect(figures.p50Ms).toBeLessThanOrEqual(figures.p99Ms);
      expect(figures.p99Ms).toBeLessThanOrEqual(figures.maxMs);
    }
    expect(exact.samples).toBe(3);
    expect(exact.maxMs).toBe(Math.max(...delays.map((ms) => Math.max(1, Math.round(ms * 1000)))) / 1000);
    expect(exact.p50Ms).toBeGreaterThanOrEqual(Math.min(...delays.map((ms) => Math.max(1, Math.round(ms * 1000)))) / 1000);
  });

  it('has no figures before the first probe completes, and rejects a bad interval', () => {
    const probe = startThreadPoolProbe({ intervalMs: 1000 });
    try {
      expect(probe.figures()).toBeNull();
    } finally {
      probe.stop();
    }
    expect(() => startThreadPoolProbe({ intervalMs: 0 })).toThrow(RangeError);
    expect(() => startThreadPoolProbe({ intervalMs: Number.NaN })).toThrow(RangeError);
  });
});
