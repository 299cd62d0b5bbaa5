// Monitor overhead: an HTTP JSON service under autocannon load, side by side with no monitor,
// prom-client default metrics, blocked-at and agent-lag. Interleaved rounds (A B C …, A B C …), the
// median of each configuration's throughput ratio to the baseline run of the same round, and idle CPU.
// Usage: node bench/monitor/run.js [--rounds 5] [--duration 5] [--idle 2]   (after `npm run build`)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    idle: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const idleMs = Number(values.idle) * 1000;
const connections = Number(values.connections);
const serverScript = fileURLToPath(new URL('server.js', import.meta.url));
const dist = new URL('../../packages/runtime-monitor/dist/', import.meta.url);

/** Configurations whose code exists in this checkout; agent-lag ones appear once they are built. */
async function availableConfigurations() {
  const configurations = ['none', 'prom-client', 'blocked-at'];
  const skipped = [];
  if (existsSync(new URL('inflight/index.js', dist)) && existsSync(new URL('threadpool/index.js', dist))) {
    configurations.push('agent-lag wrappers+probe');
  } else skipped.push('agent-lag wrappers+probe (dist/inflight or dist/threadpool not built)');
  let hasStartMonitor;
  try {
    const index = await import(new URL('index.js', dist).href);
    hasStartMonitor = typeof index.startMonitor === 'function';
  } catch {
    hasStartMonitor = false;
  }
  if (hasStartMonitor) configurations.push('agent-lag lag-only', 'agent-lag full');
  else skipped.push('agent-lag lag-only and full (startMonitor not exported by dist/index.js yet)');
  return { configurations, skipped };
}

function startServer(config) {
  const child = spawn(process.execPath, [serverScript, config], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      waiters.shift()?.();
    }
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      const take = () => resolve(lines.shift());
      if (lines.length > 0) take();
      else {
        waiters.push(take);
        child.once('exit', (code) => reject(new Error(`${config}: server exited with ${code}`)));
      }
    });
  return { child, nextLine };
}

function load(port, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/tool`, connections, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

async function measure(config) {
  const { child, nextLine } = startServer(config);
  try {
    const port = Number((await nextLine()).split(' ')[1]);
    await load(port, 1); // warm-up: JIT, connection pools
    const result = await load(port, durationS);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let GC and JIT settle after the load
    child.stdin.write(`idle ${idleMs}\n`);
    const idleCpuMs = Number((await nextLine()).split(' ')[1]);
    return { requestsPerSecond: result.requests.average, p99LatencyMs: result.latency.p99, errors: result.errors + result.non2xx, idleCpuMsPerS: idleCpuMs / (idleMs / 1000) };
  } finally {
    child.stdin.end();
    child.kill();
  }
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const { configurations, skipped } = await availableConfigurations();
const results = new Map(configurations.map((config) => [config, []]));
for (let round = 1; round <= rounds; round++) {
  for (const config of configurations) {
    const result = await measure(config);
    results.get(config).push(result);
    process.stderr.write(`round ${round}/${rounds} ${config}: ${Math.round(result.requestsPerSecond)} req/s, idle ${result.idleCpuMsPerS.toFixed(2)} ms CPU/s\n`);
  }
}

const baseline = results.get('none');
console.log(`Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? 'CPU'}; ${rounds} interleaved rounds, ${durationS} s of load each (after 1 s warm-up), ${connections} connections, idle CPU over ${idleMs / 1000} s.\n`);
console.log('| configuration | req/s (median) | ratio to no monitor (median of per-round ratios) | min–max ratio | p99 latency ms (median) | idle CPU ms/s (median) | idle % of a core |');
console.log('|---|---|---|---|---|---|---|');
for (const config of configurations) {
  const runs = results.get(config);
  const ratios = runs.map((run, index) => run.requestsPerSecond / baseline[index].requestsPerSecond);
  const idle = median(runs.map((run) => run.idleCpuMsPerS));
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  console.log(
    `| ${config} | ${Math.round(median(runs.map((run) => run.requestsPerSecond)))} | ${median(ratios).toFixed(3)} | ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)} | ${median(runs.map((run) => run.p99LatencyMs))} | ${idle.toFixed(2)} | ${(idle / 10).toFixed(3)}%${errors ? ` (${errors} errors)` : ''} |`,
  );
}
if (skipped.length > 0) console.log(`\nNot measured: ${skipped.join('; ')}.`);

// The HTTP endpoint makes no sync calls, so the wrappers' per-call cost is measured apart.
const wrapperCostScript = fileURLToPath(new URL('wrapper-cost.js', import.meta.url));
if (configurations.includes('agent-lag wrappers+probe')) {
  const output = await new Promise((resolve) => {
    const child = spawn(process.execPath, [wrapperCostScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk));
    child.on('close', () => resolve(text));
  });
  const costs = JSON.parse(output);
  console.log('\n| fast sync call (median of 7 interleaved rounds of 100k) | unwrapped ns/call | wrapped ns/call | added ns/call |');
  console.log('|---|---|---|---|');
  for (const [api, { plainNs, wrappedNs }] of Object.entries(costs)) {
    console.log(`| ${api}('/') | ${Math.round(plainNs)} | ${Math.round(wrappedNs)} | ${Math.round(wrappedNs - plainNs)} |`);
  }
}
