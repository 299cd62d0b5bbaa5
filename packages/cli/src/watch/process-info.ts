import { execFileSync } from 'node:child_process';
import { readlinkSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';

/** Throws a UsageError unless `pid` is a live process this user may signal. */
export function assertProcessExists(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw new UsageError(`pid ${pid} belongs to another user`);
    throw new UsageError(`no process with pid ${pid}`);
  }
}

/**
 * Whether `pid` runs a Node.js binary. Matters before --attach: the inspector is activated with
 * SIGUSR1, which kills most other programs.
 */
export function isNodeProcess(pid: number): boolean {
  const executable = executableOf(pid);
  if (executable === null) return false;
  const name = basename(executable).toLowerCase();
  return /^node(js)?(\d+(\.\d+)*)?(\.exe)?$/.test(name) || executable === process.execPath;
}

function executableOf(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    } catch {
      // Another user's process, or /proc hidden: fall back to argv[0].
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? null;
      } catch {
        return null;
      }
    }
  }
  try {
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The process's command line and NODE_OPTIONS, where the OS lets us read them (Linux /proc). */
export function nodeArgumentsOf(pid: number): string[] {
  const args: string[] = [];
  try {
    args.push(...readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
  } catch {
    // not Linux, or not ours
  }
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const nodeOptions = environ.find((entry) => entry.startsWith('NODE_OPTIONS='));
    if (nodeOptions) args.push(...nodeOptions.slice('NODE_OPTIONS='.length).split(/\s+/).filter(Boolean));
  } catch {
    // idem
  }
  return args;
}
