import { lstat, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The CLI's scratch folders in the temp dir (`run`'s event log, `watch --attach`'s socket folder) are named
 * `<prefix><pid>-XXXXXX` after the process that made them. One whose process was killed before it could
 * clean up is removed by the next run of the same user.
 */

/** Removes `<dir>/<prefix><pid>-*` folders owned by us whose pid is gone. Never throws. */
export async function removeStaleDirs(prefix: string, dir: string = tmpdir()): Promise<void> {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!(pid > 0) || pid === process.pid || processAlive(pid)) continue;
    const path = join(dir, name);
    try {
      const stats = await lstat(path);
      if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) continue;
      await rm(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
