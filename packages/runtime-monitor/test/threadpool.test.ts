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
startThreadPoolProbe({ intervalMs: 10 }); // never stopped: must not keep the process alive
console.log(JSON.stringify({ idle: idleFigures, busy: busyFigures }));
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
    const { idle, busy } = JSON.parse(result.stdout) as { idle: ThreadPoolFigures; busy: ThreadPoolFigures };
    expect(idle.samples).toBeGreaterThan(0);
    expect(idle.p50Ms).toBeLessThan(50);
    expect(busy.samples).toBeGreaterThan(0);
    // The probe queued behind at least one round of pbkdf2 jobs: far beyond the idle figure.
    expect(busy.maxMs).toBeGreaterThan(100);
    expect(busy.maxMs).toBeGreaterThan(idle.p50Ms * 10);
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
