import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitoredEnv } from '../run/monitor-env.js';

export type ToolsKind = 'sync' | 'async';

export interface RunningService {
  url: string;
  /** Stops the service the way an operator would (SIGTERM, so the monitor writes its summary). */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
/**
 * The monitor's start-up grace in the demo (the preload's default): stalls that start this soon after
 * the monitor does are counted apart, as start-up. The demo's load waits it out, or the first wave of
 * blocked sessions would be hidden as start-up on a machine where the service starts quickly.
 */
export const DEMO_STARTUP_GRACE_MS = 1000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running, so Ctrl-C on the demo never leaves a service behind. */
const running = new Set<ChildProcess>();

export function killAllServices(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Starts the demo's agent service with the runtime monitor preloaded, on a free loopback port
 * (PORT=0; the service prints the port it got), writing the monitor's event log to `reportPath`.
 * Resolves once the monitor's start-up grace is over: the monitor starts before the service listens,
 * so a grace's length after the "listening" line is past it.
 */
export async function startService(
  serviceDir: string,
  tools: ToolsKind,
  { reportPath, thresholdMs }: { reportPath: string; thresholdMs: number },
): Promise<RunningService> {
  const env = monitoredEnv(process.env, { reportPath, thresholdMs, startupGraceMs: DEMO_STARTUP_GRACE_MS });
  Object.assign(env, { AGENT_TOOLS: tools, PORT: '0', HOST: '127.0.0.1' });
  const child = spawn(process.execPath, [join(serviceDir, 'server.js')], {
    cwd: serviceDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = once(child, 'exit');
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      // Node prints the source line and a caret before the error itself; the error line says the most.
      const lines = output.trim().split('\n');
      const detail = lines.find((line) => /^\w*Error\b|^Error \[/.test(line)) ?? lines.at(-1);
      reject(new Error(`the demo service ${why}${detail ? `: ${detail}` : ''}`));
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(`exited before listening (${signal ?? `exit ${code}`})`));
  });
  await sleep(DEMO_STARTUP_GRACE_MS);

  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}
