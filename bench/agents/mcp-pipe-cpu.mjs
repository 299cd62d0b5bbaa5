// CPU time of an MCP stdio server per tool call, at full speed: mcp-pipe-server.mjs (hooks off: bare; on, with
// AGENT_LAG_AGENT_ASYNC_CONTEXT=auto or by default) driven by the SDK's Client over its stdin and stdout, one call
// at a time, as an agent makes them. callgrind (instructions.js, SDKS=mcp-pipe) counts the server's instructions but
// not the kernel's work for its pipe reads, writes and polls, which a real call pays too; this reads the server's
// user and system time from /proc (Linux), so it weighs the adapter against the whole call. Processes of each mode
// start interleaved, PAIRS (5) of each; each warms up WARMUP (20000) calls, then times ROUNDS (3) rounds of CALLS
// (50000) calls and reports its median µs a call; the table gives each mode's median over processes and the
// median (min–max) of the ratios of processes started side by side. MODES (bare,adapter-auto,adapter).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/callgrind.js';
import { mcpPipeDriver } from './mcp-pipe.mjs';

const pairs = Number(process.env.PAIRS ?? 5);
const warmup = Number(process.env.WARMUP ?? 20_000);
const rounds = Number(process.env.ROUNDS ?? 3);
const calls = Number(process.env.CALLS ?? 50_000);
const modes = (process.env.MODES ?? 'bare,adapter-auto,adapter').split(',');
const script = fileURLToPath(new URL('./mcp-pipe-server.mjs', import.meta.url));
const register = fileURLToPath(new URL('../../packages/runtime-monitor/dist/register.js', import.meta.url));
const hooksModule = join(dirname(register), 'agents/hooks.js');
// utime and stime, fields 14 and 15 of /proc/<pid>/stat (after the command name in parentheses), in clock ticks.
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** One server process in `mode`: its median CPU µs a call over the rounds. */
async function measure(mode) {
  const child = spawn(process.execPath, [script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AGENT_HOOKS_MODULE: hooksModule,
      AGENT_LAG_AGENT_HOOKS: mode === 'bare' ? '0' : '1',
      ...(mode === 'adapter-auto' ? { AGENT_LAG_AGENT_ASYNC_CONTEXT: 'auto' } : {}),
    },
  });
  try {
    const { load } = await mcpPipeDriver(1)(child);
    await load(warmup);
    const perCall = [];
    for (let round = 0; round < rounds; round++) {
      const before = cpuSeconds(child.pid);
      await load(calls);
      perCall.push(((cpuSeconds(child.pid) - before) / calls) * 1e6);
    }
    return median(perCall);
  } finally {
    child.kill('SIGKILL');
  }
}

const results = new Map(modes.map((mode) => [mode, []]));
for (let pair = 0; pair < pairs; pair++) {
  // The order alternates, so neither mode always runs first in a pair.
  const order = pair % 2 === 0 ? modes : [...modes].reverse();
  for (const mode of order) {
    const value = await measure(mode);
    results.get(mode).push(value);
    console.error(`pair ${pair + 1} ${mode}: ${value.toFixed(2)} µs a call`);
  }
}

console.log(`Node ${process.version}; the MCP stdio server's CPU time (user + system) a tool call, ${pairs} processes a mode, median of ${rounds} rounds of ${calls} calls after ${warmup}`);
console.log(`| mode | µs a call | vs bare, pair by pair |`);
console.log(`|---|---:|---:|`);
for (const mode of modes) {
  const values = results.get(mode);
  const ratios = values.map((value, pair) => (value / results.get('bare')[pair] - 1) * 100);
  const vsBare = mode === 'bare' ? '' : `${median(ratios).toFixed(1)}% (${Math.min(...ratios).toFixed(1)}% to ${Math.max(...ratios).toFixed(1)}%)`;
  console.log(`| ${mode} | ${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}) | ${vsBare} |`);
}
