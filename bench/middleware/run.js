// Cost of each adapter on one JSON route, under autocannon. Each round starts a fresh server per mode, in
// an order that rotates every round (drift on a shared machine hits every mode alike):
//   off — no adapter; als — no adapter, but one AsyncLocalStorage#run per request (what any
//   context-propagating APM pays); on — the agent-lag adapter.
// The monitor runs in all three, so the difference is the adapter's own cost. The cost figure is the
// server main thread's CPU time per request (from /proc on Linux, else the process's), the median of the
// per-round ratios to `off`: steadier than req/s when the load generator shares the machine's cores.
// On Linux the server is pinned to one CPU and autocannon to another. Env: ROUNDS (5), DURATION s (3),
// CONNECTIONS (32), FRAMEWORKS (http,express,fastify,koa).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const server = fileURLToPath(new URL('./server.mjs', import.meta.url));
const rounds = Number(process.env.ROUNDS ?? 5);
const duration = Number(process.env.DURATION ?? 3);
const connections = Number(process.env.CONNECTIONS ?? 32);
const frameworks = (process.env.FRAMEWORKS ?? 'http,express,fastify,koa').split(',');
const MODES = ['off', 'als', 'on'];

function canPin() {
  if (process.platform !== 'linux' || cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const pinned = canPin();

function start(framework, mode) {
  const args = [server, framework, mode];
  const child = pinned
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${framework}/${mode} exited ${code}`)));
    child.stdout.once('data', (chunk) => resolve({ child, port: JSON.parse(String(chunk)).port }));
  });
}

/** CPU µs of the server's main thread (Linux), else of the whole server process (asked over IPC). */
function serverCpuMicros(child) {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Promise.resolve(((Number(fields[11]) + Number(fields[12])) * 1e6) / 100);
    } catch {
      // Fall through to the process's own figure.
    }
  }
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('cpu');
  });
}

async function measure(framework, mode) {
  const { child, port } = await start(framework, mode);
  try {
    const url = `http://127.0.0.1:${port}/users/42`;
    await autocannon({ url, connections, duration: 2 }); // warm-up: JIT and the heap settle
    const cpuBefore = await serverCpuMicros(child);
    const result = await autocannon({ url, connections, duration });
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
const percent = (ratio) => `${((ratio - 1) * 100).toFixed(1)}%`;

console.log(`Node ${process.version}, ${rounds} rounds of ${duration} s, ${connections} connections${pinned ? ', server and load pinned to separate CPUs' : ''}`);
console.log('| adapter | req/s off | req/s on | CPU µs/req off | CPU µs/req AsyncLocalStorage only | CPU µs/req on | ALS cost | adapter cost |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const framework of frameworks) {
  const figures = Object.fromEntries(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]);
    for (const mode of order) figures[mode].push(await measure(framework, mode));
  }
  const ratio = (mode) => median(figures[mode].map((figure, i) => figure.cpuPerRequest / figures.off[i].cpuPerRequest));
  const cpu = (mode) => median(figures[mode].map((figure) => figure.cpuPerRequest)).toFixed(1);
  const rps = (mode) => Math.round(median(figures[mode].map((figure) => figure.rps)));
  console.log(`| ${framework} | ${rps('off')} | ${rps('on')} | ${cpu('off')} | ${cpu('als')} | ${cpu('on')} | ${percent(ratio('als'))} | ${percent(ratio('on'))} |`);
}
