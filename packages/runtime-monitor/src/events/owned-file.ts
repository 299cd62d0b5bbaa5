import { closeSync, constants, fstatSync, ftruncateSync, openSync } from 'node:fs';

const O_NOFOLLOW: number | undefined = constants.O_NOFOLLOW;
const O_NONBLOCK: number | undefined = constants.O_NONBLOCK;

export interface OpenOwnedFileOptions {
  /**
   * Empty the file, once it has passed the checks (never before: the open itself does not truncate).
   * Otherwise the file is opened for appending.
   */
  truncate?: boolean;
}

/**
 * Opens a file for writing the way that cannot be turned against us, for files that often sit in a
 * shared directory written by a process that often runs as root (the monitor's event log, the file
 * `agent-lag run --report` starts): a final symlink is not followed (another user's link would have us
 * write to a file of their choosing), a FIFO does not block the open, and the file we got is refused
 * unless it is a regular file of ours that no one else can write (else another user who pre-created it
 * reads what we write). Created 0600. Returns the fd, which the caller closes; throws an Error whose
 * message says why ("it is a symbolic link; not following it", "it has mode 0666: …") or the open's own.
 */
export function openOwnedFile(path: string, options: OpenOwnedFileOptions = {}): number {
  const truncate = options.truncate === true;
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  // Windows has neither flag nor uids: the plain open, as always.
  if (O_NOFOLLOW === undefined || uid === undefined) return openSync(path, truncate ? 'w' : 'a', 0o600);
  const flags = constants.O_WRONLY | (truncate ? 0 : constants.O_APPEND) | constants.O_CREAT | O_NOFOLLOW | (O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (error) {
    // ELOOP is what O_NOFOLLOW answers for a symlink: say so, not "too many levels of symbolic links".
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new Error('it is a symbolic link; not following it', { cause: error });
    throw error;
  }
  try {
    const refusal = refusalOf(fstatSync(fd), uid);
    if (refusal !== null) throw new Error(refusal);
    if (truncate) ftruncateSync(fd, 0);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

function refusalOf(stats: { isFile(): boolean; uid: number; mode: number }, uid: number): string | null {
  if (!stats.isFile()) return 'it is not a regular file';
  if (stats.uid !== uid) return `it belongs to uid ${stats.uid}, not to us (uid ${uid})`;
  if ((stats.mode & 0o022) !== 0) return `it has mode 0${(stats.mode & 0o777).toString(8)}: others can write it (chmod go-w to use it)`;
  return null;
}
