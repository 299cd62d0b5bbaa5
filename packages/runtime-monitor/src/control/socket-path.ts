import { lstatSync, mkdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Where control sockets live: a directory only their owner can write, so nobody else can take a
 * socket's name before the monitor binds it, or put one of their own in its place. That is
 * $XDG_RUNTIME_DIR when set (the session's private runtime directory), else `agent-lag-<uid>` under
 * the temp dir, created 0700. Both are checked on every use (owner, mode, not a symlink); one that fails
 * the check is refused, never repaired: another user made it, and what is in it is theirs.
 * Where there are no uids (Windows) the temp dir is used as before.
 */

/** The effective uid files are created with, or undefined where there is none (Windows). */
export function currentUid(): number | undefined {
  return typeof process.geteuid === 'function' ? process.geteuid() : undefined;
}

export interface ControlSocketDir {
  path: string;
  /** `runtime`: $XDG_RUNTIME_DIR (never created nor removed by us); `private`: ours under the temp dir; `shared`: no uids. */
  kind: 'runtime' | 'private' | 'shared';
}

/**
 * The directory for the control sockets of a process with environment `env` running as `uid`. The CLI
 * passes the target's environment and uid (read from /proc) to find its socket.
 */
export function controlSocketDir(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = currentUid()): ControlSocketDir {
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  if (runtimeDir !== undefined && runtimeDir !== '') return { path: runtimeDir, kind: 'runtime' };
  const temp = env === process.env ? tmpdir() : tmpdirOf(env);
  if (uid === undefined) return { path: temp, kind: 'shared' };
  return { path: join(temp, `agent-lag-${uid}`), kind: 'private' };
}

/**
 * Where the monitor of process `pid` serves its control socket: `agent-lag-<pid>.sock` in
 * `controlSocketDir(env, uid)`.
 */
export function controlSocketPath(pid: number = process.pid, env: NodeJS.ProcessEnv = process.env, uid: number | undefined = currentUid()): string {
  return join(controlSocketDir(env, uid).path, `agent-lag-${pid}.sock`);
}

/**
 * Makes sure `dir` is safe to bind in, creating the private one if missing. Throws an Error that says
 * why when it is not: a symlink, not a directory, another user's, or writable by others (the private
 * one: any access by others). Synchronous: a handful of system calls, run in the watchdog thread.
 */
export function prepareControlSocketDir(dir: ControlSocketDir): void {
  const uid = currentUid();
  if (dir.kind === 'shared' || uid === undefined) return;
  if (dir.kind === 'private') {
    try {
      mkdirSync(dir.path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  checkOwnDirectory(dir.path, uid, dir.kind === 'private' ? 0o077 : 0o022);
}

/** A socket directory that failed the check: someone else's, or reachable by others. */
export class UnsafeSocketDirError extends Error {}

/** Throws unless `path` is a real directory (not a symlink) owned by `uid` with none of `forbiddenMode`. */
export function checkOwnDirectory(path: string, uid: number, forbiddenMode: number): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) throw new UnsafeSocketDirError(`${path} is a symbolic link`);
  if (!stats.isDirectory()) throw new UnsafeSocketDirError(`${path} is not a directory`);
  if (stats.uid !== uid) throw new UnsafeSocketDirError(`${path} belongs to uid ${stats.uid}, not to us (uid ${uid})`);
  if ((stats.mode & forbiddenMode) !== 0) {
    throw new UnsafeSocketDirError(`${path} has mode 0${(stats.mode & 0o777).toString(8)}: others can ${forbiddenMode === 0o022 ? 'write' : 'reach'} it`);
  }
}

/**
 * Removes our private directory once it is empty (the last monitor of this user to exit does), so the
 * temp dir keeps nothing of ours. A monitor starting at the same moment recreates it (see `bindInDir`).
 */
export function removeControlSocketDirIfEmpty(dir: ControlSocketDir): void {
  if (dir.kind !== 'private') return;
  try {
    rmdirSync(dir.path);
  } catch {
    // Not empty (another monitor of ours), or already gone.
  }
}

/** os.tmpdir() for another process's environment (POSIX rules: TMPDIR, TMP, TEMP, else /tmp). */
function tmpdirOf(env: NodeJS.ProcessEnv): string {
  const value = env['TMPDIR'] || env['TMP'] || env['TEMP'] || '/tmp';
  return value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
}
