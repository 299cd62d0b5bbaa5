import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { startLive, type LiveProcess } from './helpers/live-process.js';
import { asUser, secondUser } from './helpers/second-user.js';
import { run } from './helpers/spawn.js';

/*
 * Issue 15: control sockets only their owner can reach, `watch` that believes only them, and nothing of
 * ours left in the temp dir. Every case runs real processes with TMPDIR (and XDG_RUNTIME_DIR) pointed at
 * a scratch directory of its own, so "the temp dir holds nothing of ours" is checked exactly.
 */

const posix = process.platform !== 'win32' && typeof process.geteuid === 'function';
const uid = posix ? process.geteuid!() : -1;
const other = posix ? secondUser() : { reason: 'needs POSIX uids' };
if (other.reason !== undefined) console.log(`security-sockets: the cases with a second local user are skipped: ${other.reason}`);

const securityFixture = join(repoRoot, 'packages/runtime-monitor/test/fixtures/monitor/security.mjs');
const fakeMonitor = join(repoRoot, 'test/fixtures/security-sockets/fake-monitor.mjs');
const plainServer = join(repoRoot, 'test/fixtures/cli-watch/plain-http-server.mjs');

const root = mkdtempSync(join(tmpdir(), 'agent-lag-security-sockets-'));
chmodSync(root, 0o755); // the second user must reach the directories it is given below
const live: LiveProcess[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((process) => process.stop()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;
/** A fresh temp dir for one case: the processes of the case get it as TMPDIR, with no XDG_RUNTIME_DIR. */
function scratch(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(root, `case-${++cases}`);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir };
  delete env['XDG_RUNTIME_DIR'];
  return { dir, env };
}

interface SecurityOutput {
  socketPath: string;
  socketExists: boolean;
  socketMode: number | null;
  warnings: string[];
}

async function runMonitored(env: NodeJS.ProcessEnv) {
  const result = await run([securityFixture], { env, cwd: repoRoot, timeoutMs: 60_000 });
  const output = JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as SecurityOutput | null;
  const socketWarnings = result.stderr.split('\n').filter((line) => line.includes('[AGENT_LAG_SOCKET]'));
  return { ...result, output, socketWarnings };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function usageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '');
}

describe.runIf(posix)('control sockets in a directory only their owner can reach', () => {
  it('binds in <tmpdir>/agent-lag-<uid>/ made 0700, the socket 0600, and removes both at exit', async () => {
    const { dir, env } = scratch();
    const result = await runMonitored(env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.output?.socketPath).toBe(join(dir, `agent-lag-${uid}`, `agent-lag-${result.output?.socketPath.match(/(\d+)\.sock$/)?.[1]}.sock`));
    expect(result.output?.socketExists).toBe(true);
    expect(result.output?.socketMode).toBe(0o600);
    expect(result.socketWarnings).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a per-user dir of ours that others can reach (0755): one warning, no socket, the host runs', async () => {
    const { dir, env } = scratch();
    const userDir = join(dir, `agent-lag-${uid}`);
    mkdirSync(userDir);
    chmodSync(userDir, 0o755);
    const result = await runMonitored(env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.output?.socketExists).toBe(false);
    expect(result.socketWarnings).toHaveLength(1);
    expect(result.socketWarnings[0]).toMatch(/mode 0755/);
    expect(readdirSync(userDir)).toEqual([]);
  });

  it('refuses a per-user dir that is a symlink (to a directory of ours)', async () => {
    const { dir, env } = scratch();
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, join(dir, `agent-lag-${uid}`));
    const result = await runMonitored(env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.output?.socketExists).toBe(false);
    expect(result.socketWarnings).toHaveLength(1);
    expect(result.socketWarnings[0]).toMatch(/symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses an XDG_RUNTIME_DIR that others can write (0777)', async () => {
    const { dir, env } = scratch();
    const runtimeDir = join(dir, 'runtime');
    mkdirSync(runtimeDir);
    chmodSync(runtimeDir, 0o777);
    const result = await runMonitored({ ...env, XDG_RUNTIME_DIR: runtimeDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.output?.socketExists).toBe(false);
    expect(result.socketWarnings).toHaveLength(1);
    expect(result.socketWarnings[0]).toMatch(/runtime has mode 0777: others can write it/);
  });

  it.runIf(other.reason === undefined)(
    "another user's squat: their per-user dir is refused by the monitor, and their socket in it by watch <pid>",
    async () => {
      if (other.reason !== undefined) return;
      const { dir, env } = scratch();
      // The attacker makes our per-user directory before we do, open to all, owned by them.
      const userDir = join(dir, `agent-lag-${uid}`);
      mkdirSync(userDir);
      chmodSync(userDir, 0o777);
      chownSync(userDir, other.uid, other.gid);
      // A monitored service, kept alive by its stdin.
      const target = startLive(['--import', '@agent-lag/runtime-monitor/register', '-e', 'process.stdin.resume()'], { cwd: repoRoot, env });
      live.push(target);
      await waitFor(() => target.stderr().includes('[AGENT_LAG_SOCKET]'), 30_000);
      expect(target.stderr()).toMatch(/\[AGENT_LAG_SOCKET\].*belongs to uid/);
      // ... then serves a made-up monitor at the name `watch <pid>` computes.
      const squatted = join(userDir, `agent-lag-${target.pid}.sock`);
      const [command, args] = asUser(other, process.execPath, [fakeMonitor, squatted, 'hello']);
      const impostor = startLive(args, { command, cwd: repoRoot });
      live.push(impostor);
      await impostor.waitForLine((line) => line === 'listening', 30_000);
      expect(lstatSync(squatted).uid).toBe(other.uid);
      const watched = await run([cliBin, 'watch', '--json', '--duration', '1', String(target.pid)], { env, timeoutMs: 60_000 });
      expect(watched.code).not.toBe(0);
      expect(watched.stdout).not.toContain('4242');
      expect(usageLines(watched.stderr).join('\n')).toMatch(new RegExp(`belongs to uid ${other.uid}.*not trusting it`));
    },
  );

  it.runIf(other.reason === undefined)('watch refuses a socket path owned by another user before reading it', async () => {
    if (other.reason !== undefined) return;
    const { dir } = scratch();
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, other.uid, other.gid);
    const path = join(theirs, 'monitor.sock');
    const [command, args] = asUser(other, process.execPath, [fakeMonitor, path, 'hello']);
    const impostor = startLive(args, { command, cwd: repoRoot });
    live.push(impostor);
    await impostor.waitForLine((line) => line === 'listening', 30_000);
    const watched = await run([cliBin, 'watch', '--json', '--duration', '1', path], { timeoutMs: 60_000 });
    expect(watched.code).not.toBe(0);
    expect(watched.stdout).not.toContain('4242');
    expect(usageLines(watched.stderr)).toHaveLength(1);
    expect(watched.stderr).toMatch(new RegExp(`belongs to uid ${other.uid}, not to us`));
  });
});

describe.runIf(posix)('watch reading a socket that sends one endless line', () => {
  // 100 MB without a newline: the old reader grew to 819 MB. With a 96 MB heap it would die of it.
  for (const mode of ['endless', 'hello-endless'] as const) {
    it(`stops at the line cap instead of buffering it (${mode})`, async () => {
      const { dir } = scratch();
      const path = join(dir, 'endless.sock');
      const server = startLive([fakeMonitor, path, mode], { cwd: repoRoot });
      live.push(server);
      await server.waitForLine((line) => line === 'listening', 30_000);
      const watched = await run(['--max-old-space-size=96', cliBin, 'watch', '--json', '--duration', '20', path], { timeoutMs: 60_000 });
      expect(watched.stderr).not.toMatch(/heap out of memory|FATAL ERROR/);
      expect(watched.signal).toBeNull();
      if (mode === 'endless') {
        expect(watched.code).not.toBe(0);
        expect(usageLines(watched.stderr)).toHaveLength(1);
        expect(watched.stderr).toMatch(/sent a line longer than 8 MiB/);
      }
    });
  }
});

describe.runIf(posix)('no litter in the temp dir', () => {
  it('after 5 monitored processes that exit at once, and 10 more that exit while and after their worker starts', async () => {
    const { dir, env } = scratch();
    const preload = ['--import', '@agent-lag/runtime-monitor/register'];
    const quick = Array.from({ length: 5 }, () => run([...preload, '-e', '1'], { env, cwd: repoRoot, timeoutMs: 60_000 }));
    const slower = Array.from({ length: 5 }, () => run([securityFixture], { env, cwd: repoRoot, timeoutMs: 60_000 }));
    // Exits spread over the moments the worker starts and binds its socket (the exit may cut the bind short).
    const staggered = [20, 50, 100, 150, 250].map((ms) => run([...preload, '-e', `setTimeout(() => {}, ${ms})`], { env, cwd: repoRoot, timeoutMs: 60_000 }));
    const results = await Promise.all([...quick, ...slower, ...staggered]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    for (const result of results) expect(result.stderr).not.toContain('AGENT_LAG_SOCKET');
    // The slower ones had their sockets up at once, in one per-user directory.
    for (const result of results.slice(5, 10)) expect(result.stdout).toContain('"socketExists":true');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('after a watch --attach killed with SIGKILL, then one normal run', async () => {
    const { dir, env } = scratch();
    const inspectPort = await freePort();
    const service = startLive([`--inspect-port=${inspectPort}`, plainServer], { cwd: repoRoot, env });
    live.push(service);
    await service.waitForLine((line) => line.startsWith('listening'), 30_000);

    const killed = startLive([cliBin, 'watch', '--attach', '--json', String(service.pid)], { cwd: repoRoot, env });
    live.push(killed);
    await killed.waitForLine((line) => line.startsWith('{'), 30_000);
    expect(readdirSync(dir).some((name) => name.startsWith('agent-lag-attach-'))).toBe(true);
    killed.child.kill('SIGKILL');
    await killed.exited;

    const normal = await run([cliBin, 'watch', '--attach', '--json', '--duration', '1', String(service.pid)], { cwd: repoRoot, env, timeoutMs: 60_000 });
    expect(normal.code, normal.stderr).toBe(0);
    // The target stops its monitor when the connection drops; that finishes a moment after `watch` exits.
    const clean = await waitFor(() => readdirSync(dir).length === 0);
    expect(clean ? [] : readdirSync(dir)).toEqual([]);
    // And the service still serves.
    expect(service.child.exitCode).toBeNull();
  });
});
