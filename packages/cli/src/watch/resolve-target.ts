import { lstat, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { controlSocketPath } from '@agent-lag/runtime-monitor';
import { UsageError } from '../errors.js';
import { parseEndpointUrl, type EndpointTarget } from './endpoint-connection.js';
import { assertProcessExists, isNodeProcess, monitorPreloadOf } from './process-info.js';

/**
 * Where a monitor started with its socket on listens, by the monitor's own rule (one function, shared
 * with it): `$XDG_RUNTIME_DIR`, else `<tmpdir>/agent-lag-<uid>/`, for the given environment and uid.
 */
export function defaultSocketPath(pid: number, env: NodeJS.ProcessEnv = process.env, uid?: number): string {
  return uid === undefined ? controlSocketPath(pid, env) : controlSocketPath(pid, env, uid);
}

/**
 * Where the monitor of `pid` may listen: by the target's own XDG_RUNTIME_DIR/TMPDIR and uid when
 * readable (they may differ from ours), then by our environment with the target's uid.
 */
export async function socketPathCandidates(pid: number): Promise<string[]> {
  const candidates: string[] = [];
  const uid = await processOwner(pid);
  try {
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    const targetEnv: NodeJS.ProcessEnv = {};
    for (const entry of environ) {
      const at = entry.indexOf('=');
      if (at > 0) targetEnv[entry.slice(0, at)] = entry.slice(at + 1);
    }
    candidates.push(defaultSocketPath(pid, targetEnv, uid));
  } catch {
    // not Linux or not ours: our own view of the directories is all there is
  }
  const ours = defaultSocketPath(pid, process.env, uid);
  if (!candidates.includes(ours)) candidates.push(ours);
  return candidates;
}

/**
 * The effective uid of process `pid` (the uid its files are created with): /proc/<pid>/status, else the
 * owner of /proc/<pid>; undefined where neither exists (not Linux) or the process is gone.
 */
export async function processOwner(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (uids) return Number(uids[2]);
  } catch {
    // fall through to the directory's owner
  }
  try {
    return (await stat(`/proc/${pid}`)).uid;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a socket that is not a trustworthy monitor's, before a byte from it is believed: it must be a
 * socket (not a symlink) owned by us or by the process it serves (`pid`, else the pid in an
 * `agent-lag-<pid>.sock` name). Root may so watch anyone's process; another user who squats a socket
 * name cannot pass their figures off as the process's own. Where there are no uids there is no check.
 */
export async function checkSocketOwner(path: string, pid?: number): Promise<void> {
  const caller = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  if (caller === undefined) return;
  let stats;
  try {
    stats = await lstat(path);
  } catch {
    return; // connecting will say what is wrong
  }
  if (stats.isSymbolicLink()) throw new UsageError(`${path} is a symbolic link; not following it`);
  if (stats.uid === caller) return;
  const servedPid = pid ?? pidOfSocketName(path);
  const owner = servedPid === undefined ? undefined : await processOwner(servedPid);
  if (owner !== undefined && stats.uid === owner) return;
  throw new UsageError(
    `${path} belongs to uid ${stats.uid}, ` +
      (owner === undefined ? `not to us (uid ${caller})` : `neither to us (uid ${caller}) nor to pid ${servedPid}'s owner (uid ${owner})`) +
      '; not trusting it',
  );
}

function pidOfSocketName(path: string): number | undefined {
  const match = /(?:^|\/)agent-lag-(\d+)\.sock$/.exec(path);
  return match ? Number(match[1]) : undefined;
}

export type WatchTarget = { kind: 'pid'; pid: number } | { kind: 'socket'; socketPath: string } | { kind: 'url'; endpoint: EndpointTarget };

/** Reads a `watch` argument: a pid, the path of a monitor socket, or the URL of a monitor's metrics endpoint. */
export function parseTarget(argument: string): WatchTarget {
  const endpoint = parseEndpointUrl(argument);
  if (endpoint !== null) return { kind: 'url', endpoint };
  if (/^\d+$/.test(argument)) {
    const pid = Number(argument);
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`not a valid pid: ${argument}`);
    return { kind: 'pid', pid };
  }
  return { kind: 'socket', socketPath: resolve(argument) };
}

/** The first of `candidates` that is a socket, once its owner is checked; undefined when none is. */
async function trustedSocket(candidates: readonly string[], pid: number): Promise<string | undefined> {
  for (const path of candidates) {
    if (!(await isSocket(path))) continue;
    await checkSocketOwner(path, pid);
    return path;
  }
  return undefined;
}

function processExists(pid: number): boolean {
  try {
    assertProcessExists(pid);
    return true;
  } catch {
    return false;
  }
}

/** Whether a path exists and is a Unix socket (so connecting is worth trying). */
export async function isSocket(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSocket();
  } catch {
    return false;
  }
}

/** How long `watch <pid>` waits for the socket of a process that preloads the monitor and is still starting it. */
export const STARTING_MONITOR_WAIT_MS = 10_000;

export interface CheckTargetOptions {
  /** One line on stderr (`agent-lag: …`), for a wait the user should know about. */
  note?: (line: string) => void;
  /** Default STARTING_MONITOR_WAIT_MS. */
  startingWaitMs?: number;
}

/**
 * Checks a target before connecting, so bad input gets one precise line (no such process, not Node,
 * not monitored, no such file, not a socket), and returns the socket to connect to. A process that preloads
 * the monitor but has no socket yet is starting it (its watchdog worker binds the socket, 1-2 s after
 * start-up on a loaded machine): that is waited for, not refused.
 */
export async function checkTarget(target: Exclude<WatchTarget, { kind: 'url' }>, options: CheckTargetOptions = {}): Promise<string> {
  if (target.kind === 'pid') {
    const { pid } = target;
    assertProcessExists(pid);
    const candidates = await socketPathCandidates(pid);
    const found = await trustedSocket(candidates, pid);
    if (found !== undefined) return found;
    if (!isNodeProcess(pid)) throw new UsageError(`pid ${pid} is not a Node.js process`);
    const preload = monitorPreloadOf(pid);
    if (preload === 'disabled') throw new UsageError(`pid ${pid} preloads the agent-lag monitor, but AGENT_LAG_DISABLE turns it off`);
    if (preload === 'socket-off') throw new UsageError(`pid ${pid} runs the agent-lag monitor with its control socket off (AGENT_LAG_SOCKET); watch needs it on, or its metrics endpoint: agent-lag watch http://127.0.0.1:<port>`);
    if (preload === 'socket') {
      const waitMs = options.startingWaitMs ?? STARTING_MONITOR_WAIT_MS;
      options.note?.(`pid ${pid} is starting the agent-lag monitor; waiting up to ${waitMs / 1000} s for its control socket`);
      for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (!processExists(pid)) throw new UsageError(`pid ${pid} exited before its agent-lag monitor opened its control socket`);
        const path = await trustedSocket(candidates, pid);
        if (path !== undefined) return path;
      }
      throw new UsageError(`pid ${pid} preloads the agent-lag monitor, but its control socket did not appear within ${waitMs / 1000} s (no ${candidates[0] ?? 'socket'})`);
    }
    throw new UsageError(
      `pid ${pid} is not running the agent-lag monitor (no ${candidates[0] ?? 'socket'}); ` +
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
  await checkSocketOwner(target.socketPath);
  return target.socketPath;
}
