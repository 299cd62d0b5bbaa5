import type { Command } from 'commander';
import type { CommandResult } from '../main.js';
import type { RunCommandOptions } from '../run/run-command.js';

/** Registers `agent-lag run`. */
export function registerRunCommand(program: Command, result: CommandResult): void {
  // Lets `agent-lag run node app.js --port 3` hand --port to the app; only top-level -V/-h are
  // affected, and they are only meaningful before the command name anyway.
  program.enablePositionalOptions();
  program
    .command('run')
    .summary('run a command with the runtime monitor preloaded and report what blocked its event loop')
    .usage('[options] -- <command...>')
    .description(
      'Starts <command> with the agent-lag monitor preloaded through NODE_OPTIONS (works for node, npx tsx, ' +
        'npm start…), prints each event-loop block as it happens, and a summary when the command exits. ' +
        'The command\'s exit code and signals pass through; --fail-on-block-ms turns blocks into a CI gate.',
    )
    .argument('<command...>', 'the command to run, after --')
    .option('--report <file>', 'keep the monitor\'s NDJSON event log in <file>')
    .option('--threshold-ms <ms>', 'report stalls longer than <ms> (monitor default otherwise)')
    .option('--startup-grace-ms <ms>', 'count stalls in the first <ms> as start-up, not blocks (monitor default 1000; 0 for none)')
    .option('--in-flight-sla-ms <ms>', 'report each agent run or HTTP request still in flight after <ms> (an sla line; off by default)')
    .option('--fail-on-block-ms <ms>', 'exit 1 if any block after start-up lasted longer than <ms> (one that never ended included), or if the monitor reported nothing')
    .option('--json', 'write the event log as NDJSON to stdout (the command\'s stdout goes to stderr)')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Examples:
  $ agent-lag run -- node server.js
  $ agent-lag run --threshold-ms 50 -- npx tsx src/agent.ts
  $ agent-lag run --fail-on-block-ms 200 --report blocks.ndjson -- npm run load-test
  $ agent-lag run --json -- node app.js | jq 'select(.type == "block")'`,
    )
    .action(async (command: string[], options: RunCommandOptions) => {
      // Loaded when it runs, not at every start: the log's figures, their histograms, the block lines' format.
      const { runCommand } = await import('../run/run-command.js');
      result.exitCode = await runCommand(command, options);
    });
}

