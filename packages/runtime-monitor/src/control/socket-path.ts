import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the monitor of process `pid` serves its control socket: `agent-lag-<pid>.sock` under
 * $XDG_RUNTIME_DIR when set (per-user, not world-listable), else the temp directory.
 */
export function controlSocketPath(pid: number = process.pid, env: NodeJS.ProcessEnv = process.env): string {
  const runtimeDir = env.XDG_RUNTIME_DIR;
  return join(runtimeDir !== undefined && runtimeDir !== '' ? runtimeDir : tmpdir(), `agent-lag-${pid}.sock`);
}
