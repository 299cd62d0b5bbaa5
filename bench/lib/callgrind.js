// Instruction counts of a server's main thread per request, under valgrind's callgrind: repeatable to about
// 1% run to run whatever else the machine does, where req/s and CPU time on this shared 2-vCPU VM vary by
// ±30% (see bench/middleware/README.md). The server runs ~50x slower under valgrind, so counts say what
// the code costs, not how fast it runs. Needs `valgrind` (Debian's package; callgrind_control comes with it).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function callgrindAvailable() {
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  const control = spawnSync('callgrind_control', ['--version'], { encoding: 'utf8' });
  return valgrind.status === 0 && control.status === 0;
}

/**
 * What every instruction-count driver reads from the environment (RUNS 3, WARMUP 3000, COUNT 3000, PARALLEL 2:
 * runs at a time, counts do not depend on load), after checking valgrind is there (exit 2 with one line if not).
 */
export function callgrindRunSettings(name) {
  if (!callgrindAvailable()) {
    console.error(`${name}: needs valgrind (apt-get install valgrind)`);
    process.exit(2);
  }
  return {
    runs: Number(process.env.RUNS ?? 3),
    warmup: Number(process.env.WARMUP ?? 3000),
    count: Number(process.env.COUNT ?? 3000),
    parallel: Number(process.env.PARALLEL ?? 2),
  };
}

/** Runs `measure(job)` for every job, `parallel` at a time, in order of the list. */
export async function runJobs(jobs, parallel, measure) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await measure(jobs[next++]);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/**
 * `count` GET requests to `path` over `lanes` keep-alive connections, each lane one request at a time. A
 * request on a connection the server has just closed (its keep-alive timeout can pass between two requests
 * when valgrind and a busy machine slow it down) fails with ECONNRESET before the server read it: it is
 * sent again, up to 3 times.
 */
export async function requests(port, path, count, lanes = 4) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: lanes });
  let sent = 0;
  const get = () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (response) => {
          response.resume();
          response.on('end', resolve);
        })
        .on('error', reject);
    });
  const lane = async () => {
    while (sent < count) {
      sent++;
      for (let attempt = 1; ; attempt++) {
        try {
          await get();
          break;
        } catch (error) {
          if (attempt >= 3 || !['ECONNRESET', 'EPIPE'].includes(error.code)) throw error;
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    agent.destroy();
  }
}

/**
 * How a harness talks to the server under callgrind: `driver(child)` resolves, once the server is ready, to the
 * port of its HTTP endpoint (the heap readout, see below) and `load(n)`, which sends n requests and resolves
 * when all are answered. The default: a server that prints `{"port":N}` (or `ready N`) on stdout and answers
 * GET `path`; bench/agents/mcp-pipe.mjs drives an MCP server over its stdio instead.
 */
export function httpDriver(path) {
  return (child) =>
    new Promise((resolve) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        out += chunk;
        // `{"port":N}` or `ready N`.
        const line = out.split('\n').find((text) => text.startsWith('{"port"') || /^ready \d+$/.test(text));
        if (line === undefined) return;
        const port = line.startsWith('ready') ? Number(line.slice(6)) : JSON.parse(line).port;
        resolve({ port, load: (count) => requests(port, path, count) });
      });
    });
}

/**
 * Starts `node script ...args` under callgrind, waits until `driver` has it ready (by default its `{"port":N}` or
 * `ready N` line), sends `warmup` requests (the JIT settles), zeroes the counters, sends `count` requests, dumps,
 * and returns the main thread's
 * `{ perRequest }`, the main thread's instructions per request. With `countCallsTo` (a function's name as
 * callgrind prints it, up to its parameter list) it adds `callsPerRequest` to that function. With `idleMs`,
 * it then zeroes again, lets the server sit idle that long and adds `idlePerSecond` and `requestSeconds`:
 * the periodic work a second and how long the requests took, so a caller can take the periodic share out
 * (under valgrind a second holds ~50x fewer requests than at full speed, which inflates it per request).
 * With `heapPath` (a server that answers GET `heapPath` with the bytes its heap holds (tool-server.mjs: its young generation's), after a young-generation
 * collection when asked `?gc=1`, and runs with a young generation big enough for the counted requests): it adds
 * `bytesPerRequest`, what they allocated, and `collections`, the garbage collections and incremental marking
 * steps among them (0 for the bytes to be exact and the instructions the mutator's alone).
 */
export async function instructionsPerRequest({ script, args = [], env = {}, path, warmup, count, nodeFlags = [], idleMs = 0, countCallsTo = null, keepDir = null, label = '', heapPath = null, driver = httpDriver(path) }) {
  const dir = mkdtempSync(join(tmpdir(), 'agent-lag-callgrind-'));
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--separate-threads=yes', '--dump-instr=no', `--callgrind-out-file=${join(dir, 'cg.%p')}`, process.execPath, ...nodeFlags, script, ...args],
    // stdin stays open: some targets exit when it ends.
    { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    const { port, load } = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code} under valgrind: ${stderr}`)));
      driver(child).then(resolve, reject);
    });
    await load(warmup);
    const heapBefore = heapPath === null ? null : await heapUsed(port, `${heapPath}?gc=1`);
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    const started = performance.now();
    await load(count);
    const requestSeconds = (performance.now() - started) / 1000;
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const dump = await mainThreadDump(dir, child.pid, 1, `${script} ${args.join(' ')}`);
    if (keepDir !== null) keepDump(keepDir, label, child.pid, dump.text, count);
    const result = { perRequest: dump.instructions / count };
    if (countCallsTo !== null) result.callsPerRequest = callsTo(dump.text, countCallsTo) / count;
    if (heapPath !== null) {
      // With no collection among the counted requests, the heap grew by exactly what they allocated.
      // An old-generation collection runs as incremental marking steps among allocations first: a window can hold
      // those steps (and their write barriers) without the collection that finishes them.
      result.collections = callsTo(dump.text, 'v8::internal::Heap::CollectGarbage(') + callsTo(dump.text, 'v8::internal::IncrementalMarking::Step(');
      result.bytesPerRequest = ((await heapUsed(port, heapPath)) - heapBefore) / count;
    }
    if (idleMs <= 0) return result;
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    const idleStarted = performance.now();
    await sleep(idleMs);
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idle = await mainThreadDump(dir, child.pid, 2, `${script} ${args.join(' ')}`);
    return { ...result, idlePerSecond: idle.instructions / idleSeconds, requestSeconds };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    // node --perf-basic-prof leaves its map behind; keepDump copied it where it was wanted.
    if (nodeFlags.some((flag) => flag.startsWith('--perf-basic-prof'))) rmSync(`/tmp/perf-${child.pid}.map`, { force: true });
  }
}

/** The server's answer to GET `path`: the bytes its heap holds, as a JSON number. */
async function heapUsed(port, path) {
  const body = await new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  const bytes = JSON.parse(body);
  if (typeof bytes !== 'number') throw new Error(`GET ${path} answered ${body}, not a number of bytes`);
  return bytes;
}

/**
 * With `keepDir` (for a function-level diff, see callgrind-functions.js): the main thread's dump of the
 * counted requests, as `<label>.<pid>.callgrind` with the request count in its first line, and the JIT's
 * perf map (`/tmp/perf-<pid>.map`, written with node's `--perf-basic-prof`) that names its code addresses.
 */
function keepDump(keepDir, label, pid, text, count) {
  mkdirSync(keepDir, { recursive: true });
  const base = join(keepDir, `${label.replace(/[^\w.-]+/g, '_')}.${pid}`);
  writeFileSync(`${base}.callgrind`, `# requests: ${count}\n${text}`);
  const perfMap = `/tmp/perf-${pid}.map`;
  if (existsSync(perfMap)) copyFileSync(perfMap, `${base}.perf.map`);
}

/** The main thread's (thread 01) dump (part) number `dump` and its total; the instrumented process writes dumps asynchronously. */
async function mainThreadDump(dir, pid, dump, what) {
  const file = join(dir, `cg.${pid}.${dump}-01`);
  for (let i = 0; i < 600; i++) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const match = /^summary:\s+(\d+)/m.exec(text);
      if (match) return { text, instructions: Number(match[1]) };
    }
    await sleep(100);
  }
  throw new Error(`no callgrind dump ${dump} for ${what}`);
}

/**
 * Calls to the function whose name starts with `name` in a callgrind dump. The format names a function
 * once, as `cfn=(id) name`, and by `(id)` alone after that; each `cfn=` line is followed by `calls=N ...`.
 */
function callsTo(text, name) {
  const ids = new Set();
  let calls = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^c?fn=\((\d+)\)(?: (.*))?$/.exec(lines[i]);
    if (match === null) continue;
    if (match[2]?.startsWith(name)) ids.add(match[1]);
    if (lines[i].startsWith('cfn=') && ids.has(match[1])) calls += Number(/^calls=(\d+)/.exec(lines[i + 1])?.[1] ?? 0);
  }
  return calls;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
