import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, fstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openOwnedFile } from '@agent-lag/runtime-monitor';
import { secondUser } from './helpers/second-user.js';

/*
 * openOwnedFile, shared by the monitor's event log (appends) and `agent-lag run --report` (empties the
 * file before the command starts), against real files: what it refuses it leaves as it was.
 */

const posix = typeof process.geteuid === 'function' && process.platform !== 'win32';
const other = secondUser();
const temp = mkdtempSync(join(tmpdir(), 'agent-lag-owned-file-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let cases = 0;
function scratch(): string {
  const dir = join(temp, `case-${++cases}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

function write(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

describe.runIf(posix)('openOwnedFile', () => {
  it.each([false, true])('creates a missing file 0600 (truncate: %s)', (truncate) => {
    const file = join(scratch(), 'events.ndjson');
    const fd = openOwnedFile(file, { truncate });
    expect(fstatSync(fd).mode & 0o777).toBe(0o600);
    write(fd, 'one\n');
    expect(readFileSync(file, 'utf8')).toBe('one\n');
  });

  it('appends to a file of ours others cannot write (0644)', () => {
    const file = join(scratch(), 'events.ndjson');
    writeFileSync(file, 'earlier\n');
    chmodSync(file, 0o644);
    write(openOwnedFile(file), 'now\n');
    expect(readFileSync(file, 'utf8')).toBe('earlier\nnow\n');
  });

  it('empties such a file with truncate, and writes from its start', () => {
    const file = join(scratch(), 'events.ndjson');
    writeFileSync(file, 'an earlier run\n');
    chmodSync(file, 0o644);
    write(openOwnedFile(file, { truncate: true }), 'this run\n');
    expect(readFileSync(file, 'utf8')).toBe('this run\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it.each([false, true])('does not follow a symbolic link, and leaves its target as it was (truncate: %s)', (truncate) => {
    const dir = scratch();
    const target = join(dir, 'target');
    writeFileSync(target, 'precious\n', { mode: 0o600 });
    const link = join(dir, 'events.ndjson');
    symlinkSync(target, link);
    expect(() => openOwnedFile(link, { truncate })).toThrow(/^it is a symbolic link; not following it$/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(readlinkSync(link)).toBe(target);
  });

  it.each([false, true])('refuses a file others can write (0666), and leaves it as it was (truncate: %s)', (truncate) => {
    const file = join(scratch(), 'events.ndjson');
    writeFileSync(file, 'earlier\n');
    chmodSync(file, 0o666);
    expect(() => openOwnedFile(file, { truncate })).toThrow(/^it has mode 0666: others can write it \(chmod go-w to use it\)$/);
    expect(readFileSync(file, 'utf8')).toBe('earlier\n');
    expect(statSync(file).mode & 0o777).toBe(0o666);
  });

  it('refuses a file only its group can write (0620)', () => {
    const file = join(scratch(), 'events.ndjson');
    writeFileSync(file, 'earlier\n');
    chmodSync(file, 0o620);
    expect(() => openOwnedFile(file, { truncate: true })).toThrow(/^it has mode 0620: others can write it/);
    expect(readFileSync(file, 'utf8')).toBe('earlier\n');
  });

  it('refuses a FIFO without blocking on it', () => {
    const fifo = join(scratch(), 'events.ndjson');
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    // No reader: the non-blocking open fails (ENXIO); with one, the check would say "not a regular file".
    expect(() => openOwnedFile(fifo, { truncate: true })).toThrow(expect.objectContaining({ code: 'ENXIO' }) as Error);
  });

  it('refuses a directory', () => {
    expect(() => openOwnedFile(scratch(), { truncate: true })).toThrow(expect.objectContaining({ code: 'EISDIR' }) as Error);
  });

  it.runIf(other.reason === undefined)("refuses another user's file, even a 0600 one root could write, and leaves it as it was", () => {
    if (other.reason !== undefined) return;
    const dir = scratch();
    chmodSync(dir, 0o755);
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, 'theirs\n', { mode: 0o600 });
    chownSync(file, other.uid, other.gid);
    expect(() => openOwnedFile(file, { truncate: true })).toThrow(new RegExp(`^it belongs to uid ${other.uid}, not to us \\(uid ${process.geteuid?.()}\\)$`));
    expect(readFileSync(file, 'utf8')).toBe('theirs\n');
  });
});
