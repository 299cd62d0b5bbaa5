// Per-call cost of the sync wrappers: the same fast sync calls with and without them, interleaved.
// Prints one JSON line: median ns per call for each API, unwrapped and wrapped.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const { createInFlightBuffer, installSyncWrappers } = await import(new URL('../../packages/runtime-monitor/dist/inflight/index.js', import.meta.url).href);
const CALLS = 100_000;
const ROUNDS = 7;
const cases = {
  'fs.existsSync': () => fs.existsSync('/'),
  'fs.statSync': () => fs.statSync('/'),
};

function time(call) {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) call();
  return ((performance.now() - started) * 1e6) / CALLS;
}
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const results = {};
for (const [api, call] of Object.entries(cases)) {
  const plain = [];
  const wrapped = [];
  time(call); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    plain.push(time(call));
    const wrappers = installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs: 10, isAfterStartup: () => true });
    time(call); // warm the wrapper
    wrapped.push(time(call));
    wrappers.uninstall();
  }
  results[api] = { plainNs: median(plain), wrappedNs: median(wrapped) };
}
console.log(JSON.stringify(results));
