// Throughput of one JSON route with and without each adapter, under autocannon. Runs are interleaved
// (off, on, off, on, ...) so drift on a shared machine hits both sides; the table shows medians and the
// median of the per-pair ratios. Env: ROUNDS (5), DURATION seconds (3), CONNECTIONS (32), FRAMEWORKS.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const server = fileURLToPath(new URL('./server.mjs', import.meta.url));
const rounds = Number(process.env.ROUNDS ?? 5);
const duration = Number(process.env.DURATION ?? 3);
const connections = Number(process.env.CONNECTIONS ?? 32);
const frameworks = (process.env.FRAMEWORKS ?? 'http,express,fastify,koa').split(',');

function start(framework, mode) {
  const child = spawn(process.execPath, [server, framework, mode], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${framework}/${mode} exited ${code}`)));
    child.stdout.once('data', (chunk) => resolve({ child, port: JSON.parse(String(chunk)).port }));
  });
}

function serverCpuMicros(child) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('cpu');
  });
}

/** Throughput, and the server's CPU time per request (less sensitive than req/s to a load generator sharing the cores). */
async function measure(framework, mode) {
  const { child, port } = await start(framework, mode);
  try {
    await autocannon({ url: `http://127.0.0.1:${port}/users/42`, connections, duration: 1 }); // warm-up
    const cpuBefore = await serverCpuMicros(child);
    const result = await autocannon({ url: `http://127.0.0.1:${port}/users/42`, connections, duration });
    const cpuAfter = await serverCpuMicros(child);
    return { rps: result.requests.average, cpuPerRequest: (cpuAfter - cpuBefore) / result.requests.total };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(`Node ${process.version}, ${rounds} rounds of ${duration} s, ${connections} connections`);
console.log(`| adapter | req/s without | req/s with | throughput cost | CPU µs/req without | CPU µs/req with | CPU cost |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const framework of frameworks) {
  const off = [];
  const on = [];
  const ratios = [];
  const cpuOff = [];
  const cpuOn = [];
  const cpuRatios = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? 'off' : 'on';
    const a = await measure(framework, first);
    const b = await measure(framework, first === 'off' ? 'on' : 'off');
    const [without, withAdapter] = first === 'off' ? [a, b] : [b, a];
    off.push(without.rps);
    on.push(withAdapter.rps);
    ratios.push(withAdapter.rps / without.rps);
    cpuOff.push(without.cpuPerRequest);
    cpuOn.push(withAdapter.cpuPerRequest);
    cpuRatios.push(withAdapter.cpuPerRequest / without.cpuPerRequest);
  }
  const cost = (1 - median(ratios)) * 100;
  const cpuCost = (median(cpuRatios) - 1) * 100;
  console.log(
    `| ${framework} | ${Math.round(median(off))} | ${Math.round(median(on))} | ${cost.toFixed(1)}% | ` +
      `${median(cpuOff).toFixed(1)} | ${median(cpuOn).toFixed(1)} | ${cpuCost.toFixed(1)}% |`,
  );
}
