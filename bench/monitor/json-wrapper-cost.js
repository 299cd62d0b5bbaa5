// Per-call cost of the size-gated JSON wrappers below their gate: JSON.parse / JSON.stringify of typical small
// payloads with and without the wrappers. Two measures, one JSON line each:
//  - time: rounds interleaved (plain, wrapped, plain, ...), median ns per call; noisy on a shared VM;
//  - instructions (with `--callgrind`, needs valgrind): this script re-run under callgrind with N and 0 calls,
//    the difference / N, for each case and mode; repeatable to ~100 instructions per call run to run.
//    CASES=<substring> limits it to some cases.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const { createInFlightBuffer, installSyncWrappers } = await import(new URL('../../packages/runtime-monitor/dist/inflight/index.js', import.meta.url).href);

const toolResult = { jsonrpc: '2.0', id: 17, result: { content: [{ type: 'text', text: 'hello world, this is a tool result' }] } };
const request = { method: 'POST', url: '/api/x', headers: { 'content-type': 'application/json', accept: '*/*' }, body: { a: 1, b: 'two', c: [1, 2, 3] } };
const users = { users: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `user${i}`, email: `u${i}@x.com`, active: i % 2 === 0 })) };
const texts = { toolResult: JSON.stringify(toolResult), request: JSON.stringify(request), users: JSON.stringify(users) };
let _sink;
const cases = {
  'stringify {ok:true}': () => (_sink = JSON.stringify({ ok: true })),
  'stringify tool result': () => (_sink = JSON.stringify(toolResult)),
  'stringify request': () => (_sink = JSON.stringify(request)),
  'stringify 20 users': () => (_sink = JSON.stringify(users)),
  'parse tool result': () => (_sink = JSON.parse(texts.toolResult)),
  'parse request': () => (_sink = JSON.parse(texts.request)),
  'parse 20 users': () => (_sink = JSON.parse(texts.users)),
};
const install = () => installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs: 10, isAfterStartup: () => true });
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const [mode, caseName, calls] = process.argv.slice(2);
if (mode === 'child') {
  // Under callgrind: every case warmed (so the wrapper sees several shapes, as in an app), then `calls` of one.
  if (process.argv[5] === 'wrapped') install();
  for (const call of Object.values(cases)) for (let i = 0; i < 5000; i++) call();
  const call = cases[caseName];
  for (let i = 0; i < Number(calls); i++) call();
} else if (mode === '--callgrind') {
  const N = Number(process.env.CALLS ?? 50_000);
  const instructions = (name, n, wrapped) => {
    const child = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, fileURLToPath(import.meta.url), 'child', name, String(n), wrapped ? 'wrapped' : 'plain'], { encoding: 'utf8' });
    return Number(/Collected : (\d+)/.exec(child.stderr)?.[1] ?? NaN);
  };
  const results = {};
  // CASES=stringify: only the cases whose name contains it (each case is four runs under callgrind).
  for (const name of Object.keys(cases).filter((name) => name.includes(process.env.CASES ?? ''))) {
    const per = (wrapped) => Math.round((instructions(name, N, wrapped) - instructions(name, 0, wrapped)) / N);
    const plain = per(false);
    const wrapped = per(true);
    results[name] = { plain, wrapped, extra: wrapped - plain, percent: Number(((100 * (wrapped - plain)) / plain).toFixed(1)) };
  }
  console.log(JSON.stringify({ instructionsPerCall: results }));
} else {
  const CALLS = 200_000;
  const ROUNDS = 9;
  const time = (call) => {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) call();
    return ((performance.now() - started) * 1e6) / CALLS;
  };
  const results = {};
  for (const [name, call] of Object.entries(cases)) {
    const plain = [];
    const wrapped = [];
    time(call);
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(time(call));
      const wrappers = install();
      time(call);
      wrapped.push(time(call));
      wrappers.uninstall();
    }
    results[name] = { plainNs: Math.round(median(plain)), wrappedNs: Math.round(median(wrapped)) };
  }
  console.log(JSON.stringify({ nsPerCall: results }));
}
