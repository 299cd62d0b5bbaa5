import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { byName, parsePrometheus } from './metrics-helpers.js';

const dist = new URL('../dist/index.js', import.meta.url).href;

describe('metrics endpoint served by the watchdog worker', () => {
  it('answers /metrics and /healthz within 100 ms while the main thread is blocked for 2 s', async () => {
    const script = `
      const { startMonitor } = await import(${JSON.stringify(dist)});
      const monitor = startMonitor({ thresholdMs: 100, socket: false, reportPath: null, startupGraceMs: 0, metricsEndpoint: { port: 0 } });
      const address = await monitor.metricsEndpoint();
      process.stdout.write(JSON.stringify(address) + '\\n');
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
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const waitFor = (pattern: RegExp): Promise<RegExpMatchArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = stdout.match(pattern);
          if (match !== null) resolve(match);
        };
        child.stdout.on('data', check);
        child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
        check();
      });
    try {
      // handle.metricsEndpoint() resolves once the worker has bound the port it chose.
      const [line] = await waitFor(/^\{.*\}$/m);
      const address = JSON.parse(line) as { host: string; port: number };
      expect(address.host).toBe('127.0.0.1');
      expect(address.port).toBeGreaterThan(0);
      const { port } = address;
      // One scrape before the block, as a scraper would have done: the 100 ms bound is for a warm endpoint.
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      child.stdin.write('block\n');
      await waitFor(/blocking/);
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
      // The time section is published automatically when metricsEndpoint is set.
      expect(families.get('nodejs_eventloop_time_seconds')?.type).toBe('COUNTER');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      // /healthz sees the stall in progress (read by the worker from the heartbeat).
      const body = (await health.json()) as { stalledMs: number };
      expect(body.stalledMs).toBeGreaterThan(100);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
