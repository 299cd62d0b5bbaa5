import { chalkStderr, default as chalk } from 'chalk';
import { UsageError } from '../errors.js';
import { parsePositiveMs, parsePositiveSeconds, parseThresholdMs } from '../run/numbers.js';
import { attachMonitor, type AttachedMonitor } from './attach/attach.js';
import { monitorPreloadOf } from './process-info.js';
import { checkTarget, isSocket, parseTarget, socketPathCandidates } from './resolve-target.js';
import { WatchSession, type MonitorSource, type WatchOutput } from './watch-session.js';

export interface WatchCommandOptions {
  json?: boolean;
  duration?: string;
  attach?: boolean;
  thresholdMs?: string;
  intervalMs?: string;
}

/** `agent-lag watch`'s action (commands/watch.ts registers it). */
export async function watchCommand(targets: string[], options: WatchCommandOptions): Promise<number> {
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
    const sources: MonitorSource[] = [];
    const socket = (path: string): MonitorSource => ({ kind: 'socket', path });
    for (const target of parsed) {
      if (options.attach) {
        if (target.kind !== 'pid') throw new UsageError('--attach takes pids, not socket paths or URLs');
        const existing = await firstSocket(await socketPathCandidates(target.pid));
        if (existing) {
          note(`pid ${target.pid} already runs the monitor; watching it without attaching`);
          sources.push(socket(existing));
          continue;
        }
        // Still starting the monitor it preloads: a second one injected beside it would count every block twice.
        if (monitorPreloadOf(target.pid) === 'socket') {
          sources.push(socket(await checkTarget(target, { note })));
          continue;
        }
        const monitor = await attachMonitor(target.pid, { thresholdMs, log: note });
        attached.push(monitor);
        sources.push(socket(monitor.socketPath));
      } else if (target.kind === 'url') {
        sources.push({ kind: 'url', endpoint: target.endpoint });
      } else {
        sources.push(socket(await checkTarget(target, { note })));
      }
      if (interrupted) return 0;
    }
    session = new WatchSession({
      sources,
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
