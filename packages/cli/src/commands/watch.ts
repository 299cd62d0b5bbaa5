import type { Command } from 'commander';
import type { CommandResult } from '../main.js';
import type { WatchCommandOptions } from '../watch/watch-command.js';

/** Registers `agent-lag watch`. */
export function registerWatchCommand(program: Command, result: CommandResult): void {
  program
    .command('watch')
    .summary('live view of a running service\'s event loop, through its monitor socket, its metrics endpoint, or --attach')
    .description(
      'Shows lag, stalls over time, event-loop utilisation, thread-pool delay, requests in flight and the ' +
        'latest blocks with their stacks, for one or more monitored processes (several pids merge their ' +
        'stall histograms). --attach injects the monitor into a process started without it, through the ' +
        'inspector on loopback, closes that inspector at once, and removes the monitor again on exit.',
    )
    .argument('<target...>', 'pid of a monitored process, the path of its agent-lag-<pid>.sock, or the URL of its metrics endpoint')
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
  $ agent-lag watch --json --duration 10 /run/user/1000/agent-lag-4242.sock
  $ agent-lag watch http://127.0.0.1:9464     # its metricsEndpoint (a process in a container: publish the port)`,
    )
    .action(async (targets: string[], options: WatchCommandOptions) => {
      const { watchCommand } = await import('../watch/watch-command.js');
      result.exitCode = await watchCommand(targets, options);
    });
}

