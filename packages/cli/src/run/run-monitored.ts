import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { UsageError } from '../errors.js';
import type { MonitorRequest } from './monitor-env.js';
import { monitoredEnv } from './monitor-env.js';
import type { FileTail } from './file-tail.js';

export interface RunOptions extends MonitorRequest {
  command: readonly string[];
  /** Where the child's stdout goes: ours, or our stderr when our stdout carries NDJSON. */
  childStdout: 'inherit' | 'stderr';
  /** Follows the event log (at `reportPath`) while the child runs; stopped, after a last read, when it exits. */
  tail: FileTail;
}

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child's pid: the monitored process itself when the command is `node …`. */
  pid: number | undefined;
  /** Epoch ms the child was seen to exit. */
  exitedAt: number;
  /** Why the event log could not be read (EACCES, EISDIR…), if it could not. */
  logError: string | null;
}

/** Signals a person or a supervisor sends to stop a job; passed on to the child. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Starts the command with the monitor preloaded and follows the event log until the child exits.
 * Ctrl-C in a terminal reaches the whole foreground process group, the child included, so SIGINT is
 * only forwarded when it cannot have come from our terminal (stdin not a TTY): a child with a graceful
 * shutdown must not see two.
 */
export async function runMonitored(options: RunOptions): Promise<ChildOutcome> {
  const [file, ...args] = options.command;
  if (!file) throw new UsageError('run: no command given (usage: agent-lag run [options] -- <command…>)');
  const { tail } = options;
  const child = spawn(file, args, {
    stdio: ['inherit', options.childStdout === 'stderr' ? process.stderr : 'inherit', 'inherit'],
    env: monitoredEnv(process.env, options),
  });
  const forward = (signal: NodeJS.Signals) => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  tail.start();
  try {
    const outcome = await new Promise<Omit<ChildOutcome, 'logError'>>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new UsageError(`run: command not found: ${file}`)
            : new UsageError(`run: cannot start ${file}: ${error.message}`),
        );
      });
      child.once('exit', (code, signal) => resolve({ code, signal, pid: child.pid, exitedAt: Date.now() }));
    });
    // The last lines, written as the child exited, before saying whether the log could be read.
    await tail.stop();
    return { ...outcome, logError: tail.openError };
  } catch (error) {
    await tail.stop();
    throw error;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}

/** The shell's convention for a child killed by a signal: 128 + its number. */
export function exitCodeOf(outcome: ChildOutcome): number {
  if (outcome.signal) return 128 + (osConstants.signals[outcome.signal] ?? 0);
  return outcome.code ?? 1;
}
