import { closeSync, writeSync } from 'node:fs';
import { openOwnedFile } from '@agent-lag/runtime-monitor/events';
import { UsageError } from '../errors.js';

/**
 * `run --report FILE` keeps this run's events only: the monitor appends, so an existing FILE (an
 * earlier run's) is emptied before the command starts, or its events would be read back as this run's.
 * Opened and checked as the monitor opens its log (no symlink followed, a regular file of ours no one
 * else can write), and emptied only once it passed. A refusal is bad input: the command is not run.
 */
export function startReportFile(path: string): void {
  let fd: number;
  try {
    fd = openOwnedFile(path, { truncate: true });
  } catch (error) {
    throw new UsageError(`--report ${path}: ${reasonOf(error)}`);
  }
  closeSync(fd);
}

/**
 * Appends `{"type":"gone","pid":…,"at":…}` to the log: the process `pid` went away at `at`, as `run` saw it
 * (see GoneRecord), so that `report` on the log later gives a block it was killed in the length `run`
 * gave it, and the process the same end. Opened with the log's checks, one whole line per write (the log's
 * other writers append whole lines too). A log that cannot take it (replaced, removed) is left as it is:
 * `run`'s own figures already have the time.
 */
export function appendGoneLine(path: string, pid: number, at: number): void {
  try {
    const fd = openOwnedFile(path);
    try {
      writeSync(fd, `${JSON.stringify({ type: 'gone', pid, at })}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See above: nothing to add to what run says itself.
  }
}

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOENT') return 'no such directory';
  // What a FIFO without a reader or a socket answers an open that must not block.
  if (code === 'ENXIO') return 'it is not a regular file (ENXIO)';
  // Node's message repeats the path ("EACCES: permission denied, open '/x'"): the code and what it means.
  return code === undefined ? message : `cannot open it (${message.replace(/, open '.*'$/s, '')})`;
}
