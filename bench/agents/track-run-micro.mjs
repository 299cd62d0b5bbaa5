// What trackRun itself costs per call, against a bare AsyncLocalStorage#run and against calling the function
// directly: one process, interleaved rounds (the order rotates every round), medians. Two functions: one
// that awaits 20 times (the shape of a LangChain tool call's promise chain) and a synchronous one.
//
//   npm run build && node bench/agents/track-run-micro.mjs
//   node --import ./packages/runtime-monitor/dist/register.js bench/agents/track-run-micro.mjs   # a monitor attached, as under agent-lag run
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/agents/track-run-micro.mjs trackRun              # profile one mode
//
// argv[2]: modes to time (comma-separated; default all). Env: ROUNDS (15), CALLS per round (async 20,000;
// sync 200,000). `fn` rounds before any AsyncLocalStorage ran (`fn-no-hook`) are timed first: on Node 20
// and 22 the first AsyncLocalStorage#run turns on a promise hook for the whole process, so once `als` or
// `trackRun` ran, `fn` pays that hook too and the three modes differ only by what they do per call.
// Prints a table, and one JSON line per function.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { trackRun } from '@agent-lag/runtime-monitor';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const only = process.argv[2]?.split(',');

async function awaits20() {
  for (let i = 0; i < 20; i++) await undefined;
  return 'ok';
}

function sync() {
  return 'ok';
}

const storage = new AsyncLocalStorage();
const store = { 'gen_ai.tool.name': 'noop' };

/** Each mode calls `fn` once; the run object is built per call, as an adapter builds it from the SDK's call. */
function modes(fn) {
  return {
    fn: () => fn(),
    als: () => storage.run(store, fn),
    trackRun: () => trackRun({ operation: 'execute_tool', sdk: 'bench', toolName: 'noop', toolCallId: 'call-1' }, fn),
  };
}

async function timeAsync(once, calls) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await once();
  return ((performance.now() - started) * 1e6) / calls;
}

function timeSync(once, calls) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) once();
  return ((performance.now() - started) * 1e6) / calls;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const cases = [
  { name: 'awaits 20 times', fn: awaits20, calls: Number(process.env.CALLS ?? 20_000), time: timeAsync },
  { name: 'sync', fn: sync, calls: Number(process.env.CALLS ?? 200_000), time: timeSync },
];

const results = [];
// Before any AsyncLocalStorage#run: the function as it costs in a process without the promise hook.
if (only === undefined || only.includes('fn')) {
  for (const { name, fn, calls, time } of cases) {
    await time(fn, calls);
    const ns = [];
    for (let round = 0; round < ROUNDS; round++) ns.push(await time(fn, calls));
    results.push({ case: name, mode: 'fn-no-hook', ns: median(ns) });
  }
}
for (const { name, fn, calls, time } of cases) {
  const all = Object.entries(modes(fn)).filter(([mode]) => only === undefined || only.includes(mode));
  for (const [, once] of all) {
    await time(once, calls); // warm-up: V8 tiers both sides up
    await time(once, calls);
  }
  const ns = Object.fromEntries(all.map(([mode]) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < all.length; i++) {
      const [mode, once] = all[(round + i) % all.length];
      ns[mode].push(await time(once, calls));
    }
  }
  for (const [mode] of all) results.push({ case: name, mode, ns: median(ns[mode]) });
}

console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds, median ns per call`);
for (const { name } of cases) {
  const row = results.filter((result) => result.case === name);
  const of = (mode) => row.find((result) => result.mode === mode)?.ns;
  const parts = row.map((result) => `${result.mode} ${result.ns.toFixed(0)}`);
  const als = of('als');
  const tracked = of('trackRun');
  if (als !== undefined && tracked !== undefined) parts.push(`trackRun − als ${(tracked - als).toFixed(0)}`);
  console.log(`${name.padEnd(16)} ${parts.join('  ')}`);
  console.log(JSON.stringify({ case: name, ...Object.fromEntries(row.map((result) => [result.mode, Math.round(result.ns)])) }));
}
