import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// A real http service sheds on the age of its oldest agent run (`shed: { oldestRunAgeMs }`): an agent
// run held open past the limit turns new requests into 503s naming that reason, health stays answered,
// and the run's end brings the service back.

const FIXTURE = fileURLToPath(new URL('./fixtures/agents-core/shed.mjs', import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function until<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('shedding on the oldest agent run', () => {
  it('answers 503 (reason run-age) while a run is older than oldestRunAgeMs, keeps health answering, recovers when it ends', async () => {
    const child = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, AGENT_LAG_TEST: JSON.stringify({ shed: { oldestRunAgeMs: 400, windowMs: 100, recoverWindows: 1 } }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines = (): Record<string, unknown>[] =>
      stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const [{ port }] = (await until('the port', lines, (parsed) => parsed.length > 0)) as [{ port: number }];
    const send = async (command: string): Promise<void> => {
      child.stdin.write(`${command}\n`);
      await until(`ack of ${command}`, lines, (parsed) => parsed.some((line) => line.ack === command));
    };
    const get = async (path: string): Promise<{ status: number; body: string }> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.text() };
    };

    // No run in flight: not shed.
    expect(await get('/agents/run')).toEqual({ status: 200, body: 'ok' });
    await send('hold');
    const shed = await until('a 503', () => get('/agents/run'), (response) => response.status === 503);
    expect(JSON.parse(shed.body)).toEqual({ error: 'overloaded', reason: 'run-age', retryAfterSeconds: 1 });
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
    await send('release');
    await until('a 200 again', () => get('/agents/run'), (response) => response.status === 200);
    await send('exit');
    expect(await exited, stderr).toBe(0);
  }, 60_000);
});
