import { chalkStderr } from 'chalk';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CommandResult } from '../main.js';

interface DemoCommandOptions {
  duration: string;
  connections: string;
}

/** Stalls shorter than this are not reported in the demo: the planted calls take ~150 ms. */
const DEMO_THRESHOLD_MS = 50;

function positiveNumber(value: string, option: string, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max) {
    throw new UsageError(`${option} must be a number above 0 and at most ${max}, got "${value}"`);
  }
  return number;
}

export function registerDemoCommand(program: Command, result: CommandResult): void {
  void result; // The demo succeeds (0) or fails with one line (2); it gates nothing.
  program
    .command('demo')
    .description('see agent-lag work on a bundled agent service: lint it, load it with sync tools, then with async tools')
    .option('--duration <seconds>', 'load each version of the service for this long', '4')
    .option('--connections <n>', 'concurrent agent sessions during the load', '10')
    .addHelpText(
      'after',
      `
Starts the bundled agent service (examples/agent-service) on a free loopback port with the runtime
monitor preloaded, puts load on it with autocannon, and shows what lint finds in its source next to
what the monitor caught at run time (same file:line), then the throughput of the async version.
Takes about 15 seconds; stops everything it started.

Examples:
  $ npx agent-lag demo
  $ npx agent-lag demo --duration 10 --connections 50`,
    )
    .action(async (options: DemoCommandOptions) => {
      const durationS = positiveNumber(options.duration, '--duration', 60);
      const connections = Math.round(positiveNumber(options.connections, '--connections', 1000));
      const { runDemo } = await import('../demo/run-demo.js');
      const { renderDemo } = await import('../demo/render.js');
      const { killAllServices } = await import('../demo/service.js');
      // Ctrl-C (or a supervisor's SIGTERM) must not leave a service running.
      const interrupted = (signal: NodeJS.Signals) => {
        killAllServices();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      try {
        const outcome = await runDemo({
          durationS,
          connections,
          thresholdMs: DEMO_THRESHOLD_MS,
          progress: (line) => process.stderr.write(`${chalkStderr.dim(`… ${line}`)}\n`),
        });
        process.stdout.write(renderDemo(outcome));
      } finally {
        killAllServices();
        process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      }
    });
}
