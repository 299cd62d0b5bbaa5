// The adapters' cost as instructions of the server's main thread per request (callgrind), median of
// RUNS runs per mode, each a fresh server: WARMUP requests, then counters zeroed, then COUNT requests.
// Modes as in server.mjs. Env: RUNS (3), WARMUP (3000), COUNT (3000), FRAMEWORKS (http,express,fastify,koa),
// MODES (off,als,on,on-async; also noop), PARALLEL (2: runs at a time; counts do not depend on load),
// RETRIES (3: extra runs per job, see below).
//
// Some runs leave Node's own `process.nextTick` in baseline code, where its object literal with computed
// keys ({ [async_id_symbol]: ... }) is built by a runtime call per property: about 35k instructions a
// request more for Fastify, which calls nextTick several times per request, in whichever mode the run
// had. Which runs do is a matter of JIT timing under valgrind, not of the mode. Such runs are told by
// their calls to that runtime function, set aside (and printed), and the job is run again.
import { fileURLToPath } from 'node:url';
import { callgrindRunSettings, instructionsPerRequest, median, runJobs } from '../lib/callgrind.js';

const SLOW_LITERAL = 'v8::internal::Runtime_DefineKeyedOwnPropertyInLiteral';
const retries = Number(process.env.RETRIES ?? 3);

const { runs, warmup, count, parallel } = callgrindRunSettings('bench/middleware instructions');
const script = fileURLToPath(new URL('./server.mjs', import.meta.url));
const frameworks = (process.env.FRAMEWORKS ?? 'http,express,fastify,koa').split(',');
const modes = (process.env.MODES ?? 'off,als,on,on-async').split(',');

const jobs = [];
for (let run = 0; run < runs; run++) for (const framework of frameworks) for (const mode of modes) jobs.push({ framework, mode });
const results = new Map();
const setAside = [];
await runJobs(jobs, parallel, async ({ framework, mode }) => {
  const key = `${framework}/${mode}`;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const { perRequest, callsPerRequest } = await instructionsPerRequest({
      script,
      args: [framework, mode],
      env: { BENCH_THRESHOLD_MS: '60000' },
      path: '/users/42',
      warmup,
      count,
      countCallsTo: SLOW_LITERAL,
    });
    if (callsPerRequest >= 1) {
      setAside.push(`${key} ${(perRequest / 1000).toFixed(1)}k`);
      console.error(`${key}: ${Math.round(perRequest)}, set aside (${callsPerRequest.toFixed(1)} literal properties a request defined by the runtime)`);
      continue;
    }
    results.set(key, [...(results.get(key) ?? []), perRequest]);
    console.error(`${key}: ${Math.round(perRequest)}`);
    return;
  }
});

const k = (value) => `${(value / 1000).toFixed(1)}k`;
console.log(`Node ${process.version}; main-thread instructions per request (callgrind), median of ${runs} runs of ${count} requests after ${warmup}`);
console.log(`| adapter | ${modes.join(' | ')} | ${modes.filter((mode) => mode !== 'off').map((mode) => `${mode} cost`).join(' | ')} |`);
console.log(`|---|${modes.map(() => '---:').join('|')}|${modes.filter((mode) => mode !== 'off').map(() => '---:').join('|')}|`);
for (const framework of frameworks) {
  const value = (mode) => median(results.get(`${framework}/${mode}`) ?? [NaN]);
  const cells = modes.map((mode) => {
    const all = results.get(`${framework}/${mode}`);
    if (all === undefined) return 'no run kept';
    const kept = all.length < runs ? `, ${all.length} runs kept` : '';
    return `${k(value(mode))} (${k(Math.min(...all))}–${k(Math.max(...all))}${kept})`;
  });
  // Without an off run there is nothing to compare with (MODES=on alone, say).
  const costs = modes.filter((mode) => mode !== 'off').map((mode) => (results.has(`${framework}/off`) ? `${((value(mode) / value('off') - 1) * 100).toFixed(1)}%` : '—'));
  console.log(`| ${framework} | ${cells.join(' | ')} | ${costs.join(' | ')} |`);
}
if (setAside.length > 0) console.log(`Set aside, nextTick in baseline code: ${setAside.join(', ')}`);
