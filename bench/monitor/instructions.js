// What the monitor adds to each request: main-thread instructions per request (callgrind) of the
// bench/monitor HTTP service, median of RUNS runs per configuration, each a fresh server: WARMUP requests,
// counters zeroed, COUNT requests, then IDLE_MS with no traffic. The monitor's periodic work is per second,
// not per request: under valgrind a second holds ~50x fewer requests than at full speed, so the raw figure
// overstates it. The idle window measures that work a second, and the last column takes it out (periodic
// instructions a second x the seconds the requests took). The periodic work at the default threshold is
// measured natively by idle.mjs; here a long threshold (one heartbeat a second) keeps stalls out.
// The anchors run in the same run, interleaved: prom-client's collectDefaultMetrics() and Sentry's
// event-loop-block integration (alone, and with Sentry's default integrations); see server.js. Only the
// main thread is counted, for every configuration (agent-lag's and Sentry's watchdog threads are not).
// Env: RUNS (3), WARMUP (3000), COUNT (3000), IDLE_MS (10000), PARALLEL (2),
// CONFIGS (none,prom-client,sentry block-only,sentry,agent-lag lag-only,agent-lag full; the first is the base),
// BENCH_MONITOR_DIST (another build's packages/runtime-monitor/dist, e.g. a scratch copy).
// DISTS (label=<dist>,label=<dist>): builds side by side in one run; a configuration named `<name>@<label>`
// (e.g. `agent-lag full@before`) runs that configuration on that build, the others on BENCH_MONITOR_DIST or this
// checkout's dist.
import { fileURLToPath } from 'node:url';
import { callgrindRunSettings, instructionsPerRequest, median, runJobs } from '../lib/callgrind.js';

const { runs, warmup, count, parallel } = callgrindRunSettings('bench/monitor instructions');
const script = fileURLToPath(new URL('./server.js', import.meta.url));
const idleMs = Number(process.env.IDLE_MS ?? 10_000);
// NODE_FLAGS (e.g. --perf-basic-prof) and KEEP_DUMPS (a directory): keep each run's dump for callgrind-functions.js.
const nodeFlags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
const keepDir = process.env.KEEP_DUMPS ?? null;
const configs = (process.env.CONFIGS ?? 'none,prom-client,sentry block-only,sentry,agent-lag lag-only,agent-lag full').split(',');
const dists = new Map(
  (process.env.DISTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
);
/** server.js's configuration and the environment that picks its build. */
const target = (config) => {
  const at = config.lastIndexOf('@');
  if (at < 0) return { name: config, env: {} };
  const dist = dists.get(config.slice(at + 1));
  if (dist === undefined) throw new Error(`${config}: no build labelled ${config.slice(at + 1)} in DISTS`);
  return { name: config.slice(0, at), env: { BENCH_MONITOR_DIST: dist } };
};

const jobs = [];
for (let run = 0; run < runs; run++) for (const config of configs) jobs.push(config);
const results = new Map(configs.map((config) => [config, []]));
await runJobs(jobs, parallel, async (config) => {
  const { name, env } = target(config);
  const run = await instructionsPerRequest({
    script,
    args: [name],
    env: { BENCH_THRESHOLD_MS: '60000', ...env },
    path: '/bench',
    warmup,
    count,
    idleMs,
    nodeFlags,
    keepDir,
    label: config,
  });
  const perRequestWithoutPeriodic = run.perRequest - (run.idlePerSecond * run.requestSeconds) / count;
  results.get(config).push({ ...run, perRequestWithoutPeriodic });
  console.error(`${config}: ${Math.round(run.perRequest)} raw, ${Math.round(run.idlePerSecond)} a second idle, ${Math.round(perRequestWithoutPeriodic)} without periodic`);
});

const figure = (config, key) => results.get(config).map((run) => run[key]);
const cell = (values) => `${Math.round(median(values))} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`;
const base = median(figure(configs[0], 'perRequestWithoutPeriodic'));
const rawBase = median(figure(configs[0], 'perRequest'));
console.log(`Node ${process.version}; main-thread instructions (callgrind), median of ${runs} runs of ${count} requests after ${warmup}, then ${idleMs} ms idle`);
for (const [label, dist] of dists) console.log(`@${label}: ${dist}`);
console.log('| configuration | per request, raw (min–max) | vs none | periodic a second, idle | per request without periodic (min–max) | vs none |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const config of configs) {
  const raw = figure(config, 'perRequest');
  const net = figure(config, 'perRequestWithoutPeriodic');
  const pct = (value, of) => `${((value / of - 1) * 100).toFixed(2)}%`;
  console.log(`| ${config} | ${cell(raw)} | ${pct(median(raw), rawBase)} | ${Math.round(median(figure(config, 'idlePerSecond')))} | ${cell(net)} | ${pct(median(net), base)} |`);
}
