import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../test/helpers/spawn.js';
import { secondUser } from '../../../test/helpers/second-user.js';
import { fixture, tempDir } from './monitor-helpers.js';

/*
 * Issue 15: the event log must not be turned against us by another local user. Each case runs a real
 * monitored process whose log path an attacker prepared, and checks that nothing reached the attacker's
 * target, that the monitor said so in exactly one warning, and that the host ran and exited as usual.
 */

const temp = tempDir();
afterAll(() => temp.remove());
const posix = typeof process.geteuid === 'function' && process.platform !== 'win32';
const other = secondUser();
if (other.reason !== undefined) console.log(`security-files: the cases with another user's file are skipped: ${other.reason}`);

let cases = 0;
function scratch(): string {
  const dir = join(temp.dir, `case-${++cases}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

async function runWithLog(reportPath: string, runtimeDir: string) {
  const result = await run([fixture('security.mjs')], {
    env: { ...process.env, AGENT_LAG_TEST_REPORT: reportPath, XDG_RUNTIME_DIR: runtimeDir },
    timeoutMs: 60_000,
  });
  const reportWarnings = result.stderr.split('\n').filter((line) => line.includes('[AGENT_LAG_REPORT]'));
  return { ...result, reportWarnings };
}

describe.runIf(posix)('the event log', () => {
  it('creates the log 0600 and writes the block to it (the normal case)', async () => {
    const dir = scratch();
    const log = join(dir, 'events.ndjson');
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.reportWarnings).toEqual([]);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    const types = readFileSync(log, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toContain('block');
    expect(types).toContain('summary');
  });

  it('appends to an existing log of ours that others cannot write (0644)', async () => {
    const dir = scratch();
    const log = join(dir, 'events.ndjson');
    writeFileSync(log, '{"type":"earlier"}\n', { mode: 0o644 });
    chmodSync(log, 0o644);
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.reportWarnings).toEqual([]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('{"type":"earlier"}');
    expect(lines.length).toBeGreaterThan(1);
  });

  it('does not follow a symlink at the log path: the target is untouched, one warning, the host runs', async () => {
    const dir = scratch();
    const target = join(dir, 'target');
    writeFileSync(target, 'precious\n', { mode: 0o600 });
    const log = join(dir, 'events.ndjson');
    symlinkSync(target, log);
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim()) as object).toMatchObject({ socketExists: true });
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(log).isSymbolicLink()).toBe(true);
    expect(result.reportWarnings).toHaveLength(1);
    expect(result.reportWarnings[0]).toMatch(/symbolic link/);
  });

  it('refuses a pre-created log that others can write (0666): it receives nothing', async () => {
    const dir = scratch();
    const log = join(dir, 'events.ndjson');
    writeFileSync(log, '');
    chmodSync(log, 0o666);
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(result.reportWarnings).toHaveLength(1);
    expect(result.reportWarnings[0]).toMatch(/mode 0666: others can write it/);
  });

  it('refuses a FIFO at the log path without hanging on it', async () => {
    const dir = scratch();
    const log = join(dir, 'events.ndjson');
    execFileSync('mkfifo', ['-m', '0600', log]);
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.reportWarnings).toHaveLength(1);
    expect(result.reportWarnings[0]).toMatch(/not a regular file|ENXIO/);
  });

  it.runIf(other.reason === undefined)("refuses a log file owned by another user, even a 0600 one root could write", async () => {
    if (other.reason !== undefined) return;
    const dir = scratch();
    chmodSync(dir, 0o755);
    const log = join(dir, 'events.ndjson');
    writeFileSync(log, '', { mode: 0o600 });
    chownSync(log, other.uid, other.gid);
    const result = await runWithLog(log, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(result.reportWarnings).toHaveLength(1);
    expect(result.reportWarnings[0]).toMatch(new RegExp(`belongs to uid ${other.uid}`));
  });
});
