import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { byName, parsePrometheus } from './metrics-helpers.js';

const dist = new URL('../dist/index.js', import.meta.url).href;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('metrics endpoint served by the watchdog worker', () => {
  it('answers /metrics and /healthz within 100 ms while the main thread is blocked for 2 s', async () => {
    const port = await freePort();
    const script = `
      const { startMonitor } = await import(${JSON.stringify(dist)});
      const monitor = startMonitor({ thresholdMs: 100, socket: false, reportPath: null, startupGraceMs: 0, metricsEndpoint: { port: ${port} } });
      process.stdin.once('data', () => {
        process.stdout.write('blocking\\n');
        const end = Date.now() + 2000;
        while (Date.now() < end);
        process.stdout.write('done\\n');
        void monitor.stop();
        process.stdin.destroy();
      });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      // The worker starts its endpoint once it is up; only then is there something to ask during a block.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const ready = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.status === 200, () => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`endpoint never came up: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.stdin.write('block\n');
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('blocking') && resolve());
        child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await metrics.text();
      const elapsed = performance.now() - started;
      expect(metrics.status).toBe(200);
      expect(elapsed).toBeLessThan(100);
      const families = byName(parsePrometheus(text));
      expect(families.get('agent_lag_stalls_total')?.type).toBe('COUNTER');
      expect(families.get('nodejs_eventloop_delay_p99_seconds')?.type).toBe('GAUGE');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
