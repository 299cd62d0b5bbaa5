import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import type { MonitorEvent } from '../types.js';

/**
 * The NDJSON event log. Synchronous appends: it is written from the watchdog worker (so a wedged main
 * thread is still logged), or from the main thread only in the no-worker fallback. A failing disk turns
 * the log off with one error handed to `onError`, never an exception into the host.
 *
 * The log often sits in a shared directory and the monitor often runs as root, so it is opened the way
 * that cannot be turned against us: a final symlink is not followed (another user's link would have us
 * append to a file of their choosing), a FIFO does not block the open, and the file we got is refused
 * unless it is a regular file of ours that no one else can write (else another user who pre-created it
 * reads our events). Created 0600.
 */
export class EventLog {
  #fd: number | null;
  readonly #onError: (error: Error) => void;

  constructor(path: string, onError: (error: Error) => void) {
    this.#onError = onError;
    try {
      this.#fd = openLog(path);
    } catch (error) {
      this.#fd = null;
      onError(error as Error);
    }
  }

  write(event: MonitorEvent): void {
    if (this.#fd === null) return;
    try {
      writeSync(this.#fd, `${JSON.stringify(event)}\n`);
    } catch (error) {
      this.close();
      this.#onError(error as Error);
    }
  }

  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } catch {
      // Already gone; nothing left to release.
    }
  }
}

const O_NOFOLLOW: number | undefined = constants.O_NOFOLLOW;
const O_NONBLOCK: number | undefined = constants.O_NONBLOCK;

function openLog(path: string): number {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  // Windows has neither flag nor uids: the plain append open, as always.
  if (O_NOFOLLOW === undefined || uid === undefined) return openSync(path, 'a', 0o600);
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW | (O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (error) {
    // ELOOP is what O_NOFOLLOW answers for a symlink: say so, not "too many levels of symbolic links".
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new Error('it is a symbolic link; not following it', { cause: error });
    throw error;
  }
  const refusal = refusalOf(fstatSync(fd), uid);
  if (refusal === null) return fd;
  closeSync(fd);
  throw new Error(refusal);
}

function refusalOf(stats: { isFile(): boolean; uid: number; mode: number }, uid: number): string | null {
  if (!stats.isFile()) return 'it is not a regular file';
  if (stats.uid !== uid) return `it belongs to uid ${stats.uid}, not to us (uid ${uid})`;
  if ((stats.mode & 0o022) !== 0) return `it has mode 0${(stats.mode & 0o777).toString(8)}: others can write it (chmod go-w to use it)`;
  return null;
}
