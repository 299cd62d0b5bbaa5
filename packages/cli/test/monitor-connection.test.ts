import { linkSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorConnection } from '../src/watch/monitor-connection.js';

/*
 * A monitor's socket file exists from its bind, a moment before its listen; a client connecting in between
 * is refused. Such a socket is made here with a hard link to a listening socket whose server then closes: the
 * link stays, a socket nobody listens on.
 */

const HELLO = { type: 'hello', pid: 4242, version: '0.1.0', thresholdMs: 50, mode: 'full' };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function listen(path: string): Promise<Server> {
  const server = createServer((socket) => socket.end(`${JSON.stringify(HELLO)}\n`));
  cleanups.push(() => server.close());
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

/** A socket file at `path` that refuses connections, as one bound and not yet listening does. */
async function refusingSocket(dir: string, path: string): Promise<void> {
  const other = join(dir, 'other.sock');
  const server = await listen(other);
  linkSync(other, path);
  await new Promise((resolve) => server.close(resolve));
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-lag-connection-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('MonitorConnection.open on a socket that refuses', () => {
  it('connects once the monitor listens, within a second of the first refusal', async () => {
    const dir = scratch();
    const path = join(dir, 'agent-lag-4242.sock');
    await refusingSocket(dir, path);
    const opening = MonitorConnection.open(path);
    setTimeout(() => {
      unlinkSync(path);
      void listen(path);
    }, 300);
    const connection = await opening;
    cleanups.push(() => connection.close());
    expect(connection.hello).toEqual(HELLO);
  });

  it('says nothing is listening once the second has passed', async () => {
    const dir = scratch();
    const path = join(dir, 'agent-lag-4242.sock');
    await refusingSocket(dir, path);
    const started = Date.now();
    await expect(MonitorConnection.open(path)).rejects.toThrow(`nothing is listening on ${path} (the monitored process has exited?)`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
