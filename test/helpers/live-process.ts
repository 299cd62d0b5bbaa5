import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A process kept running while a test talks to it: its output lines as they come, a way to wait for a
 * particular line, and a stop that always reaps it.
 */
export interface LiveProcess {
  child: ChildProcess;
  pid: number;
  stdoutLines: string[];
  stderr(): string;
  /** Resolves with the first stdout line (already seen or future) that matches; rejects at exit or timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it lingers; resolves once it is gone. */
  stop(): Promise<void>;
}

export function startLive(args: readonly string[], options: SpawnOptions & { command?: string } = {}): LiveProcess {
  const { command = process.execPath, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...spawnOptions });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const stdoutLines: string[] = [];
  let pending = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    stdoutLines.push(...lines);
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => (done = true));

  return {
    child,
    pid: child.pid,
    stdoutLines,
    stderr: () => stderr,
    exited,
    waitForLine(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = stdoutLines.find(match);
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (done || child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(new Error(`process exited before the expected line; stdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching line within ${timeoutMs} ms; stdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Parses the NDJSON lines of a process's stdout, skipping anything that is not a JSON object. */
export function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const value = JSON.parse(line) as Record<string, unknown> | null;
      return typeof value === 'object' && value !== null ? [value] : [];
    } catch {
      return [];
    }
  });
}
