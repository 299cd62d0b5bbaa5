// What the monitor adds to each request: main-thread instructions per request (callgrind) of the
// bench/monitor HTTP service, median of RUNS runs per configuration, each a fresh server: WARMUP requests,
// counters zeroed, COUNT requests. The monitor's periodic work is per second, not per request, and is
// measured by idle.mjs; under valgrind a second holds ~50x fewer requests, so it is kept out here by a
// long threshold (one heartbeat a second, no stall captures). Env: RUNS (3), WARMUP (3000), COUNT (3000),
// CONFIGS (none,agent-lag lag-only,agent-lag full), PARALLEL (2).
import { fileURLToPath } from 'node:url';
import { callgrindAvailable, instructionsPerRequest, median } from '../lib/callgrind.js';

if (!callgrindAvailable()) {
  console.error('bench/monitor instructions: needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
const script = fileURLToPath(new URL('./server.js', import.meta.url));
const runs = Number(process.env.RUNS ?? 3);
const warmup = Number(process.env.WARMUP ?? 3000);
const count = Number(process.env.COUNT ?? 3000);
const parallel = Number(process.env.PARALLEL ?? 2);
const configs = (process.env.CONFIGS ?? 'none,agent-lag lag-only,agent-lag full').split(',');

const jobs = [];
for (let run = 0; run < runs; run++) for (const config of configs) jobs.push(config);
const results = new Map(configs.map((config) => [config, []]));
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const config = jobs[next++];
    const perRequest = await instructionsPerRequest({ script, args: [config], env: { BENCH_THRESHOLD_MS: '60000' }, path: '/bench', warmup, count });
    results.get(config).push(perRequest);
    console.error(`${config}: ${Math.round(perRequest)}`);
  }
}
await Promise.all(Array.from({ length: parallel }, worker));

const base = median(results.get(configs[0]));
console.log(`Node ${process.version}; main-thread instructions per request (callgrind), median of ${runs} runs of ${count} requests after ${warmup}`);
console.log('| configuration | instructions/request (min–max) | vs none |');
console.log('|---|---:|---:|');
for (const config of configs) {
  const all = results.get(config);
  const value = median(all);
  console.log(`| ${config} | ${Math.round(value)} (${Math.round(Math.min(...all))}–${Math.round(Math.max(...all))}) | ${((value / base - 1) * 100).toFixed(1)}% |`);
}
