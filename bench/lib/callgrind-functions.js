// Function-level diff of callgrind dumps: where the instructions of one configuration go that another's
// do not. Reads the main-thread dumps (and perf maps) that instructions.js keeps with KEEP_DUMPS (run the
// server with NODE_FLAGS=--perf-basic-prof so V8's code gets names; without a map, JIT code is one
// "[JIT]" row). Per function: self instructions a request (median over the runs of a configuration), and
// inclusive instructions a request (the function and everything it called).
// Usage: node bench/lib/callgrind-functions.js <dir> <base label> <other label> [--top 40] [--inclusive]
//        node bench/lib/callgrind-functions.js <dir> <label>... --phases [--each]   (where each label's instructions go;
//        --each: a row per run, in the order the runs started, since one run's executing figure can stray by ±2%)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Sorted [start, end, name] ranges of a perf map ("<hex start> <hex size> <name>" a line). */
function readPerfMap(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const ranges = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/i.exec(line);
    if (match === null) continue;
    const start = parseInt(match[1], 16);
    ranges.push([start, start + parseInt(match[2], 16), match[3]]);
  }
  // Later entries win (V8 reuses addresses after code is freed): keep the last one for a start address.
  ranges.sort((a, b) => a[0] - b[0]);
  return ranges;
}

function lookup(ranges, address) {
  let low = 0;
  let high = ranges.length - 1;
  let found = null;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (ranges[mid][0] <= address) {
      found = ranges[mid];
      low = mid + 1;
    } else high = mid - 1;
  }
  return found !== null && address < found[1] ? found[2] : null;
}

/**
 * Self and inclusive instructions by function name. Callgrind names a function once, `fn=(id) name`, and
 * by `(id)` after that; a cost line right after `calls=` is the call's inclusive cost, any other cost
 * line is the current function's own. Code without a symbol is named by its address, mapped here through
 * the perf map.
 */
export function functionCosts(text, ranges) {
  const names = new Map();
  const self = new Map();
  const inclusive = new Map();
  const nameOf = (id, rest) => {
    if (rest !== undefined && rest !== '') names.set(id, rest);
    let name = names.get(id) ?? `(${id})`;
    if (/^0x[0-9a-f]+$/i.test(name)) name = lookup(ranges, parseInt(name, 16)) ?? '[JIT]';
    return name;
  };
  const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
  let current = null;
  let afterCalls = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      const match = /^fn=\((\d+)\)(?: (.*))?$/.exec(line);
      current = match === null ? line.slice(3) : nameOf(`f${match[1]}`, match[2]);
      afterCalls = false;
    } else if (line.startsWith('cfn=')) {
      const match = /^cfn=\((\d+)\)(?: (.*))?$/.exec(line);
      if (match !== null) nameOf(`f${match[1]}`, match[2]);
    } else if (line.startsWith('calls=')) {
      afterCalls = true;
    } else if (current !== null && /^[+\-*\d]/.test(line)) {
      const fields = line.trim().split(/\s+/);
      const cost = Number(fields[1] ?? 0);
      if (afterCalls) {
        afterCalls = false;
        add(inclusive, current, cost);
      } else {
        add(self, current, cost);
        add(inclusive, current, cost);
      }
    }
  }
  return { self, inclusive };
}

/** Every kept run of `label` in `dir`: per function, instructions a request. */
export function runsOf(dir, label) {
  const prefix = `${label.replace(/[^\w.-]+/g, '_')}.`;
  return readdirSync(dir)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.callgrind') && /^\d+\.callgrind$/.test(file.slice(prefix.length)))
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const requests = Number(/^# requests: (\d+)/.exec(text)?.[1] ?? 1);
      const costs = functionCosts(text, readPerfMap(join(dir, file.replace(/\.callgrind$/, '.perf.map'))));
      const perRequest = (map) => new Map([...map].map(([name, value]) => [name, value / requests]));
      return { file, pid: Number(file.slice(prefix.length, -'.callgrind'.length)), self: perRequest(costs.self), inclusive: perRequest(costs.inclusive) };
    });
}

/*
 * Runtime entry points whose inclusive cost is V8 compiling code (optimising, lazily compiling, Sparkplug) or
 * undoing it, and collecting garbage. After thousands of warm-up calls V8 still optimises and deoptimises some of
 * an SDK's functions now and then, and under --single-threaded it does so on the main thread: one run's TurboFan
 * work can be ±30k instructions a call, more than an adapter costs. Its tier state moves the rest too, so the
 * `executing` figure stays noisier than callgrind's own repeatability.
 */
// The outermost entries only (one never calls another), as named on Node 20 to 24: optimising (TurboFan and Maglev,
// Runtime_CompileOptimized on 20, Runtime_Optimize*Eager on 24, both through Compiler::CompileOptimized),
// lazily compiling, Sparkplug, deoptimising.
const COMPILING = [
  'v8::internal::Compiler::CompileOptimized(',
  'v8::internal::Runtime_CompileLazy(',
  'v8::internal::Runtime_CompileBaseline(',
  'v8::internal::Runtime_InstallBaselineCode(',
  'v8::internal::baseline::BaselineBatchCompiler::EnqueueFunction(',
  'v8::internal::Runtime_NotifyDeoptimized(',
];
// An old-generation collection's incremental marking runs in steps among allocations (and write barriers
// while it marks) before the collection that finishes it.
const COLLECTING = ['v8::internal::Heap::CollectGarbage(', 'v8::internal::IncrementalMarking::Step(', 'v8::internal::MarkingBarrier::Write('];

/** A run's instructions a request in all: the sum of every function's own. */
const totalOf = (run) => [...run.self.values()].reduce((sum, value) => sum + value, 0);

/** A run's instructions a request: in all, compiling, collecting garbage, the rest (executing), and agent-lag's own JS functions (self). */
export function phasesOf(run) {
  const sumInclusive = (prefixes) => [...run.inclusive].reduce((sum, [name, value]) => (prefixes.some((prefix) => name.startsWith(prefix)) ? sum + value : sum), 0);
  const total = totalOf(run);
  const compiling = sumInclusive(COMPILING);
  const collecting = sumInclusive(COLLECTING);
  const agentLag = [...run.self].reduce((sum, [name, value]) => (name.startsWith('JS:') && name.includes('/runtime-monitor/dist/') ? sum + value : sum), 0);
  return { total, compiling, collecting, executing: total - compiling - collecting, agentLag };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function medians(runs, key) {
  const names = new Set(runs.flatMap((run) => [...run[key].keys()]));
  return new Map([...names].map((name) => [name, median(runs.map((run) => run[key].get(name) ?? 0))]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '40' }, inclusive: { type: 'boolean', default: false }, phases: { type: 'boolean', default: false }, each: { type: 'boolean', default: false } },
  });
  const [dir, baseLabel, otherLabel] = positionals;
  if (values.phases) {
    const of = values.each ? 'each kept run of each label (by process id)' : 'median of the kept runs of each label';
    console.log(`instructions a request, ${of}: in all, compiling (V8 optimising, lazily compiling, deoptimising), collecting garbage, executing (the rest), of which agent-lag's own JS`);
    console.log('| label | runs | total | compiling | collecting | executing | agent-lag JS |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const label of positionals.slice(1)) {
      const runs = runsOf(dir, label);
      if (runs.length === 0) throw new Error(`no kept runs for ${label} in ${dir}`);
      const row = (name, phases) => {
        const cell = (key) => Math.round(median(phases.map((phase) => phase[key])));
        console.log(`| ${name} | ${phases.length} | ${cell('total')} | ${cell('compiling')} | ${cell('collecting')} | ${cell('executing')} | ${cell('agentLag')} |`);
      };
      if (!values.each) row(label, runs.map(phasesOf));
      else for (const run of runs.sort((a, b) => a.pid - b.pid)) row(`${label} ${run.pid}`, [phasesOf(run)]);
    }
    process.exit(0);
  }
  const key = values.inclusive ? 'inclusive' : 'self';
  const base = runsOf(dir, baseLabel);
  const other = runsOf(dir, otherLabel);
  if (base.length === 0 || other.length === 0) throw new Error(`no kept runs for ${base.length === 0 ? baseLabel : otherLabel} in ${dir}`);
  const a = medians(base, key);
  const b = medians(other, key);
  const total = (runs) => median(runs.map(totalOf));
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((name) => ({ name, a: a.get(name) ?? 0, b: b.get(name) ?? 0 }));
  rows.sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a));
  console.log(`${key} instructions a request, median of ${base.length} (${baseLabel}) and ${other.length} (${otherLabel}) runs; totals ${Math.round(total(base))} and ${Math.round(total(other))}`);
  console.log(`| function | ${baseLabel} | ${otherLabel} | difference |`);
  console.log('|---|---:|---:|---:|');
  for (const row of rows.slice(0, Number(values.top))) {
    console.log(`| ${row.name.slice(0, 110).replace(/\|/g, '\\|')} | ${row.a.toFixed(1)} | ${row.b.toFixed(1)} | ${(row.b - row.a >= 0 ? '+' : '') + (row.b - row.a).toFixed(1)} |`);
  }
}
