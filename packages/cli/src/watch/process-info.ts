import { execFileSync } from 'node:child_process';
import { readlinkSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { envFlag } from '@agent-lag/runtime-monitor';
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
  const nodeOptions = environmentOf(pid).get('NODE_OPTIONS');
  if (nodeOptions !== undefined) args.push(...nodeOptions.split(/\s+/).filter(Boolean));
  return args;
}

/** The process's environment as it started, where the OS lets us read it (Linux /proc); empty otherwise. */
export function environmentOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
    }
  } catch {
    // not Linux, or not ours
  }
  return env;
}

/** The monitor's preload module, as `agent-lag run` passes it (a file: URL) or as a user writes it. */
const MONITOR_PRELOAD = /@agent-lag\/runtime-monitor\/register\b|runtime-monitor\/dist\/register\.js\b/;

/**
 * What `pid`'s start-up says of the agent-lag monitor: preloaded with its control socket on (`socket`), with
 * the socket or the monitor turned off by the environment (`socket-off`, `disabled`), or no preload seen (`none`:
 * it may still start one itself).
 */
export function monitorPreloadOf(pid: number): 'socket' | 'socket-off' | 'disabled' | 'none' {
  if (!nodeArgumentsOf(pid).some((arg) => MONITOR_PRELOAD.test(arg))) return 'none';
  const env = environmentOf(pid);
  if (envFlag(env.get('AGENT_LAG_DISABLE')) === true) return 'disabled';
  return envFlag(env.get('AGENT_LAG_SOCKET')) === false ? 'socket-off' : 'socket';
}
