import { lstat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { assertProcessExists, isNodeProcess } from './process-info.js';

/** Where a monitor started with its socket on listens: the runtime dir if set, else the temp dir. */
export function defaultSocketPath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['XDG_RUNTIME_DIR'] || tmpdir();
  return join(dir, `agent-lag-${pid}.sock`);
}

/**
 * Where the monitor of `pid` may listen: by the target's own XDG_RUNTIME_DIR/TMPDIR when readable
 * (it may differ from ours), then by ours.
 */
export async function socketPathCandidates(pid: number): Promise<string[]> {
  const candidates: string[] = [];
  try {
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const targetEnv: NodeJS.ProcessEnv = {};
    for (const entry of environ) {
      const at = entry.indexOf('=');
      if (at > 0) targetEnv[entry.slice(0, at)] = entry.slice(at + 1);
    }
    candidates.push(targetEnv['XDG_RUNTIME_DIR'] ? defaultSocketPath(pid, targetEnv) : join(targetEnv['TMPDIR'] || '/tmp', `agent-lag-${pid}.sock`));
  } catch {
    // not Linux or not ours: our own view of the directories is all there is
  }
  const ours = defaultSocketPath(pid);
  if (!candidates.includes(ours)) candidates.push(ours);
  return candidates;
}

export type WatchTarget = { kind: 'pid'; pid: number } | { kind: 'socket'; socketPath: string };

/** Reads a `watch` argument: a pid, or the path of a monitor socket. */
export function parseTarget(argument: string): WatchTarget {
  if (/^\d+$/.test(argument)) {
    const pid = Number(argument);
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`not a valid pid: ${argument}`);
    return { kind: 'pid', pid };
  }
  return { kind: 'socket', socketPath: resolve(argument) };
}

/** Whether a path exists and is a Unix socket (so connecting is worth trying). */
export async function isSocket(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSocket();
  } catch {
    return false;
  }
}

/**
 * Checks a target before connecting, so bad input gets one precise line (no such process, not Node,
 * not monitored, no such file, not a socket), and returns the socket to connect to.
 */
export async function checkTarget(target: WatchTarget): Promise<string> {
  if (target.kind === 'pid') {
    assertProcessExists(target.pid);
    const candidates = await socketPathCandidates(target.pid);
    for (const path of candidates) if (await isSocket(path)) return path;
    if (!isNodeProcess(target.pid)) throw new UsageError(`pid ${target.pid} is not a Node.js process`);
    throw new UsageError(
      `pid ${target.pid} is not running the agent-lag monitor (no ${candidates[0] ?? 'socket'}); ` +
        'start it under `agent-lag run`, or use --attach',
    );
  }
  let stats;
  try {
    stats = await lstat(target.socketPath);
  } catch {
    throw new UsageError(`no such file: ${target.socketPath}`);
  }
  if (!stats.isSocket()) throw new UsageError(`${target.socketPath} is not a socket`);
  return target.socketPath;
}
