import { execFileSync, spawnSync } from 'node:child_process';

/**
 * A second local user for the tests of what another user on the host can do. Created when we run as
 * root (`useradd -M`, no home, no login shell) and reused afterwards; elsewhere there is none and the
 * tests that need one are skipped with `reason`.
 */
export type SecondUser = { uid: number; gid: number; name: string; reason?: undefined } | { reason: string; uid?: undefined };

const NAME = 'agentlagtest';

export function secondUser(): SecondUser {
  if (process.platform !== 'linux' || typeof process.geteuid !== 'function') return { reason: 'needs Linux uids' };
  if (process.geteuid() !== 0) return { reason: 'needs root to create and act as a second local user' };
  if (lookup() === null) {
    // Another test file may create it at the same moment: "already exists" is success.
    spawnSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', NAME], { stdio: 'ignore' });
  }
  const ids = lookup();
  if (ids === null) return { reason: `could not create the local user ${NAME} (useradd)` };
  return { ...ids, name: NAME };
}

/** The command line that runs `command args` as `user` (real and effective ids, no supplementary groups). */
export function asUser(user: { uid: number; gid: number }, command: string, args: readonly string[]): [string, string[]] {
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', command, ...args]];
}

function lookup(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}
