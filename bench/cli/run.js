#!/usr/bin/env node
/*
 * How long the CLI takes to start: `agent-lag --version`, and `agent-lag run -- node -e 0`, whose share above
 * a preloaded `node -e 0` is what `run` adds to every command it starts (an MCP server its client starts
 * under `agent-lag run`, a test). Plain `node -e 0` and the preloaded one are measured beside them. Rounds
 * are interleaved (every command once a round), the figure is the median of the rounds' wall times.
 *
 *   node bench/cli/run.js [--rounds 15] [--other /path/to/another/checkout]
 *
 * `--other` adds the same rows for another built checkout of this repository (say, a worktree of an older
 * commit, `npm ci && npm run build` in it), in the same rounds.
 */

import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, other: { type: 'string' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench/cli: --rounds must be a positive integer, got ${values.rounds}`);
  process.exit(2);
}

function commandsOf(label, root) {
  const cli = join(root, 'packages/cli/bin/agent-lag.js');
  const register = join(root, 'packages/runtime-monitor/dist/register.js');
  return [
    { label: `${label} agent-lag --version`, args: [cli, '--version'] },
    { label: `${label} agent-lag run -- node -e 0`, args: [cli, 'run', '--', process.execPath, '-e', '0'] },
    { label: `${label} node --import register -e 0`, args: ['--import', register, '-e', '0'] },
  ];
}

const commands = [{ label: 'node -e 0', args: ['-e', '0'] }, ...commandsOf('this:', resolve(here, '../..'))];
if (values.other !== undefined) commands.push(...commandsOf('other:', resolve(values.other)));

// From a directory with no agent SDK near it, as most hosts are (the preload's agent hooks then install nothing).
const cwd = tmpdir();
const times = new Map(commands.map(({ label }) => [label, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? commands : [...commands].reverse();
  for (const { label, args } of order) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      console.error(`bench/cli: ${label} exited ${result.status ?? result.signal}`);
      process.exit(1);
    }
    times.get(label).push(ms);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
console.log(`Node ${process.version}, ${rounds} rounds, wall time from spawn to exit, median (min–max):\n`);
console.log('| command | ms |');
console.log('| --- | ---: |');
for (const { label } of commands) {
  const all = times.get(label);
  console.log(`| ${label} | ${median(all).toFixed(0)} (${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}) |`);
}
