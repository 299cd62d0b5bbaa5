import { chalkStderr, default as chalk } from 'chalk';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CommandResult } from '../main.js';
import { parsePositiveMs, parsePositiveSeconds, parseThresholdMs } from '../run/numbers.js';
import { attachMonitor, type AttachedMonitor } from '../watch/attach/attach.js';
import { monitorPreloadOf } from '../watch/process-info.js';
import { checkTarget, isSocket, parseTarget, socketPathCandidates } from '../watch/resolve-target.js';
import { WatchSession, type WatchOutput } from '../watch/watch-session.js';

interface WatchCommandOptions {
  json?: boolean;
  duration?: string;
  attach?: boolean;
  thresholdMs?: string;
  intervalMs?: string;
}

/** Registers `agent-lag watch`. */
export function registerWatchCommand(program: Command, result: CommandResult): void {
  program
    .command('watch')
    .summary('live view of a running service\'s event loop, through its monitor socket (or --attach)')
    .description(
      'Shows lag, stalls over time, event-loop utilisation, thread-pool delay, requests in flight and the ' +
        'latest blocks with their stacks, for one or more monitored processes (several pids merge their ' +
        'stall histograms). --attach injects the monitor into a process started without it, through the ' +
        'inspector on loopback, closes that inspector at once, and removes the monitor again on exit.',
    )
    .argument('<target...>', 'pid of a monitored process, or the path of its agent-lag-<pid>.sock')
    .option('--json', 'stream NDJSON (hello, block, lag, sla, snapshot lines, each with its pid) instead of the view')
    .option('--duration <seconds>', 'stop after <seconds>')
    .option('--attach', 'inject the monitor into a Node process started without it (inspector, loopback only)')
    .option('--threshold-ms <ms>', 'with --attach: stall threshold of the injected monitor')
    .option('--interval-ms <ms>', 'how often to refresh snapshots', '1000')
    .addHelpText(
      'after',
      `
Examples:
  $ agent-lag watch 4242
  $ agent-lag watch 4242 4243 4244            # cluster workers: one merged stall histogram
  $ agent-lag watch --attach --duration 60 4242
  $ agent-lag watch --json --duration 10 /run/user/1000/agent-lag-4242.sock`,
    )
    .action(async (targets: string[], options: WatchCommandOptions) => {
      result.exitCode = await watchCommand(targets, options);
    });
}

async function watchCommand(targets: string[], options: WatchCommandOptions): Promise<number> {
  const durationS = parsePositiveSeconds(options.duration, '--duration');
  const thresholdMs = parseThresholdMs(options.thresholdMs, '--threshold-ms');
  const intervalMs = parsePositiveMs(options.intervalMs, '--interval-ms') ?? 1000;
  if (thresholdMs !== undefined && !options.attach) throw new UsageError('--threshold-ms only applies with --attach');
  const output: WatchOutput = options.json ? 'json' : process.stdout.isTTY ? 'screen' : 'lines';
  const note = (line: string) => process.stderr.write(`${chalkStderr.dim(`agent-lag: ${line}`)}\n`);

  const parsed = targets.map(parseTarget);
  const attached: AttachedMonitor[] = [];
  let session: WatchSession | undefined;
  const stopOnSignal = () => session?.stop();
  // Installed before attaching: Ctrl-C during injection must still run the clean-up below.
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    stopOnSignal();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  process.on('SIGHUP', interrupt);
  // `watch --json | head -3`: a closed pipe ends the watch (and detaches) instead of crashing. Left
  // installed: writes already queued fail after the watch has ended.
  process.stdout.on('error', interrupt);
  try {
    const socketPaths: string[] = [];
    for (const target of parsed) {
      if (options.attach) {
        if (target.kind !== 'pid') throw new UsageError('--attach takes pids, not socket paths');
        const existing = await firstSocket(await socketPathCandidates(target.pid));
        if (existing) {
          note(`pid ${target.pid} already runs the monitor; watching it without attaching`);
          socketPaths.push(existing);
          continue;
        }
        // Still starting the monitor it preloads: a second one injected beside it would count every block twice.
        if (monitorPreloadOf(target.pid) === 'socket') {
          socketPaths.push(await checkTarget(target, { note }));
          continue;
        }
        const monitor = await attachMonitor(target.pid, { thresholdMs, log: note });
        attached.push(monitor);
        socketPaths.push(monitor.socketPath);
      } else {
        socketPaths.push(await checkTarget(target, { note }));
      }
      if (interrupted) return 0;
    }
    session = new WatchSession({
      socketPaths,
      output,
      durationMs: durationS === undefined ? undefined : durationS * 1000,
      intervalMs,
      color: chalk,
    });
    await session.connect();
    if (interrupted) return 0;
    await session.run();
    return 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    process.off('SIGHUP', interrupt);
    for (const monitor of attached) {
      await monitor.detach();
      note(`detached from pid ${monitor.pid}: monitor stopped, inspector closed`);
    }
  }
}

async function firstSocket(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await isSocket(path)) return path;
  return undefined;
}
