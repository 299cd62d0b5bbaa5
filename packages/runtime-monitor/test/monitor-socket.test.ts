import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockEvent, MonitorSnapshot } from '../src/types.js';
import { fixture, tempDir } from './monitor-helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

interface Message {
  type: string;
  [key: string]: unknown;
}

describe('the control socket', () => {
  it('is 0600, says hello, answers snapshots while the loop is frozen, streams blocks, and is removed at exit', async () => {
    const child = spawn(process.execPath, [fixture('socket.mjs')], {
      env: { ...process.env, XDG_RUNTIME_DIR: temp.dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // 'ready', then what the fixture measured of its freeze (monotonic ms, and how far the wall clock moved).
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const path = join(temp.dir, `agent-lag-${child.pid}.sock`);
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(path).mode & 0o777).toBe(0o600);

      const socket = connect(path);
      const messages: Message[] = [];
      // Every block event streamed, in order, for the failure messages.
      const blockEvents: Message[] = [];
      let buffered = '';
      const waiters: (() => void)[] = [];
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const message = JSON.parse(buffered.slice(0, newline)) as Message;
          messages.push(message);
          if (message.type === 'block') blockEvents.push(message);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
        for (const waiter of waiters.splice(0)) waiter();
      });
      const next = async (type: string): Promise<Message> => {
        for (let i = 0; i < 400; i++) {
          const found = messages.find((message) => message.type === type);
          if (found) {
            messages.splice(messages.indexOf(found), 1);
            return found;
          }
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 50);
          });
        }
        throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
      };

      const hello = await next('hello');
      expect(hello).toMatchObject({ type: 'hello', pid: child.pid, thresholdMs: 100, mode: 'full' });
      expect(typeof hello.version).toBe('string');

      // Freeze the app's loop for 1.5 s, then ask for a snapshot while it is frozen.
      child.stdin.write('block\n');
      await new Promise((resolve) => setTimeout(resolve, 400));
      socket.write('{"type":"snapshot"}\n');
      const reply = await next('snapshot');
      const snapshot = reply.snapshot as MonitorSnapshot;
      expect(snapshot.pid).toBe(child.pid);
      expect(snapshot.sections.app).toEqual({ ready: true });

      // Streamed while it runs (ongoing, with its stack), then again when it ended, with its duration.
      const ongoing = (await next('block')) as unknown as BlockEvent;
      // What a failure needs: every block event, and the freeze as the fixture measured it.
      const got = (): string => `block events: ${JSON.stringify(blockEvents)}\nthe fixture's stdout: ${stdout}`;
      expect(ongoing, got()).toMatchObject({ ongoing: true, pid: child.pid });
      expect(ongoing.stack.map((frame) => frame.functionName), got()).toContain('freezeOnRequest');
      const block = (await next('block')) as unknown as BlockEvent;
      expect(block.ongoing, got()).toBeUndefined();
      expect(block.startedAt, got()).toBe(ongoing.startedAt);
      expect(block.durationMs, got()).toBeGreaterThan(1000);
      expect(block.stack.map((frame) => frame.functionName), got()).toContain('freezeOnRequest');

      socket.write('not json\n');
      expect((await next('error')).message).toBe('not JSON');
      socket.destroy();
      child.stdin.end('exit\n');
      expect(await exited).toBe(0);
      expect(existsSync(path)).toBe(false);
      expect(stderr).not.toMatch(/agent-lag|Waiting for the debugger/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
