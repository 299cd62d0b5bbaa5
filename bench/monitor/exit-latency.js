// Exit latency: how long a short script takes from spawn to exit, with and without the monitor preloaded.
// The script does ~100 ms of async work (one timer; --work-ms to change it: 1500 lets the watchdog finish
// starting first) and then ends, naturally or with process.exit(0).
// Modes, interleaved round by round (a fresh process each run):
//   none          node script.mjs
//   monitor       node --import <dist>/register.js script.mjs
//   monitor+log   the same with AGENT_LAG_REPORT=<temp file> (the event log opened, the summary written)
// Each run is timed with process.hrtime from spawn() to the child's 'exit'. The script also writes marks
// (epoch ms, performance.timeOrigin + now()) to fd 3, so each run splits into: start-up (spawn to the
// script's first line, preload included), work (the timer), the 'exit' handlers (from the first 'exit'
// listener, prepended, to the last, which runs after the monitor's), and teardown (the last 'exit'
// listener to the parent seeing the exit: threads joined, the inspector, V8 torn down).
// Usage: node bench/monitor/exit-latency.js [--runs 20] [--work-ms 100] [--dist <packages/runtime-monitor/dist>] [--modes none,monitor,monitor+log]
//        [--endings natural,exit] [--json <file>]
// --dist takes one dist/ directory, or several as name=dir,name=dir (a scratch copy with a change tried
// out beside the build it changes): each monitor mode then runs once per build, as "monitor [name]".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'work-ms': { type: 'string', default: '100' },
    dist: { type: 'string', default: fileURLToPath(new URL('../../packages/runtime-monitor/dist/', import.meta.url)) },
    modes: { type: 'string', default: 'none,monitor,monitor+log' },
    endings: { type: 'string', default: 'natural,exit' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
const dists = new Map(
  values.dist.split(',').map((entry, index) => {
    const named = /^([^=/]+)=(.+)$/.exec(entry);
    return named === null ? [index === 0 ? '' : String(index), entry] : [named[1], named[2]];
  }),
);
const registers = new Map([...dists].map(([name, dir]) => [name, pathToFileURL(join(resolve(dir), 'register.js')).href]));
const modes = values.modes.split(',').flatMap((mode) => (mode === 'none' || dists.size === 1 ? [mode] : [...dists.keys()].map((name) => `${mode} [${name}]`)));
/** The build a mode runs ('' for the only one) and the mode without it. */
const buildOf = (mode) => /^(.*?)(?: \[(.*)\])?$/.exec(mode).slice(1);
const endings = values.endings.split(',');
const dir = mkdtempSync(join(tmpdir(), 'agent-lag-exit-'));

// The marks go to fd 3 with writeSync: nothing buffered, nothing left for the exit to flush.
const SCRIPT = `import { writeSync } from 'node:fs';
const mark = (name) => writeSync(3, name + ' ' + (performance.timeOrigin + performance.now()) + '\\n');
mark('script');
process.prependListener('exit', () => mark('exit-handlers'));
process.on('exit', () => mark('exit-handlers-done'));
setTimeout(() => {
  mark('work-done');
  if (process.env.BENCH_ENDING === 'exit') process.exit(0);
}, Number(process.env.BENCH_WORK_MS));
`;
const script = join(dir, 'script.mjs');
writeFileSync(script, SCRIPT);

const epochNow = () => performance.timeOrigin + performance.now();

function runOnce(mode, ending, index) {
  const env = { ...process.env, BENCH_ENDING: ending, BENCH_WORK_MS: values['work-ms'] };
  for (const name of Object.keys(env)) if (name.startsWith('AGENT_LAG_')) delete env[name];
  const args = [];
  const [kind, build = [...dists.keys()][0]] = buildOf(mode);
  if (kind !== 'none') args.push('--import', registers.get(build));
  if (kind === 'monitor+log') env.AGENT_LAG_REPORT = join(dir, `events-${index}.ndjson`);
  args.push(script);
  return new Promise((resolvePromise, reject) => {
    const spawnedAt = epochNow();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let marks = '';
    let stderr = '';
    child.stdio[3].setEncoding('utf8').on('data', (chunk) => (marks += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
      const exitedAt = spawnedAt + totalMs;
      if (code !== 0) return reject(new Error(`${mode}/${ending} exited with ${code}: ${stderr}`));
      const at = Object.fromEntries(marks.trim().split('\n').map((line) => line.split(' ')).map(([name, ms]) => [name, Number(ms)]));
      resolvePromise({
        totalMs,
        startupMs: at.script - spawnedAt,
        workMs: at['work-done'] - at.script,
        // work-done to the first 'exit' listener: the loop emptying and 'beforeExit' (0 with process.exit).
        toExitMs: at['exit-handlers'] - at['work-done'],
        exitHandlersMs: at['exit-handlers-done'] - at['exit-handlers'],
        teardownMs: exitedAt - at['exit-handlers-done'],
      });
    });
  });
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
};

const results = new Map();
let runCount = 0;
for (const ending of endings) for (const mode of modes) results.set(`${mode} ${ending}`, []);
try {
  for (let round = 0; round < runs; round++) {
    for (const ending of endings) {
      for (const mode of modes) results.get(`${mode} ${ending}`).push(await runOnce(mode, ending, runCount++));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fixed = (value) => value.toFixed(1);
console.log(`Node ${process.version}; a ${values['work-ms']} ms script, ${runs} interleaved rounds; spawn to exit (ms); the parts are medians of each part`);
console.log('| ending | mode | median | p90 | vs none (median) | start-up | work | to exit | exit handlers | teardown |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const ending of endings) {
  const base = quantile(
    results.get(`${modes[0]} ${ending}`).map((run) => run.totalMs),
    0.5,
  );
  for (const mode of modes) {
    const list = results.get(`${mode} ${ending}`);
    const part = (key) => fixed(quantile(list.map((run) => run[key]), 0.5));
    const median = quantile(list.map((run) => run.totalMs), 0.5);
    const delta = mode === modes[0] ? '—' : `${median - base >= 0 ? '+' : ''}${fixed(median - base)}`;
    console.log(
      `| ${ending === 'exit' ? 'process.exit(0)' : 'natural'} | ${mode} | ${fixed(median)} | ${fixed(quantile(list.map((run) => run.totalMs), 0.9))} | ${delta} | ${part('startupMs')} | ${part('workMs')} | ${part('toExitMs')} | ${part('exitHandlersMs')} | ${part('teardownMs')} |`,
    );
  }
}
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(Object.fromEntries(results), null, 1));
