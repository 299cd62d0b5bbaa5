#!/usr/bin/env node
/*
 * Writes a big NDJSON event log the way several monitored processes would: block events with real-sized
 * stacks, 1 s lag windows, a checkpoint every so often, a summary at exit; the last process is killed
 * (no summary: its latest checkpoint, blocks logged after it, and one block that never ended). The
 * counters hold stalls no block event stands for (rate-limited repeats), among them each process's
 * worst, so a reader that counts block events or lists only logged blocks gets it wrong.
 *
 *   node bench/report/generate-log.js --out big.ndjson --mb 300 [--processes 3]
 *
 * Prints (stdout, JSON) what a correct report says: the stalls per process and in total, the block
 * events after start-up, the worst stall.
 */

import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import hdr from 'hdr-histogram-js';

const { values } = parseArgs({
  options: { out: { type: 'string' }, mb: { type: 'string', default: '300' }, processes: { type: 'string', default: '3' } },
});
if (!values.out) {
  process.stderr.write('usage: generate-log.js --out FILE [--mb 300] [--processes 3]\n');
  process.exit(2);
}
const targetBytes = Number(values.mb) * 1024 * 1024;
const processCount = Math.max(1, Number(values.processes));

// A deterministic generator: the same arguments write the same log.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const frame = (functionName, file, line) => ({ functionName, url: `file:///srv/agent-service/node_modules/some-framework/lib/${file}.js`, line, column: 17 });
const STACKS = Array.from({ length: 40 }, (_, s) => [
  { functionName: 'execSync', url: 'node:child_process', line: 957, column: 15 },
  { functionName: `tool${s}`, url: `file:///srv/agent-service/tools/tool-${s}.js`, line: 10 + s, column: 18 },
  ...Array.from({ length: 5 }, (_, i) => frame(`handle${i}`, `layer-${i}`, 100 + i * 7)),
]);

const out = createWriteStream(values.out);
let written = 0;
let events = 0;
async function write(event) {
  const line = `${JSON.stringify(event)}\n`;
  written += line.length;
  events++;
  if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
}

const THRESHOLD = 100;
const processes = Array.from({ length: processCount }, (_, i) => ({
  pid: 40_000 + i,
  now: 1_767_225_600_000 + i * 37,
  stalls: { count: 0, startupCount: 0, totalMs: 0, maxMs: 0, histogram: hdr.build(), worst: [] },
  blockEvents: 0,
  killed: i === processCount - 1,
}));

function countStall(p, durationMs, startedAt, logged) {
  const s = p.stalls;
  s.count++;
  s.totalMs += durationMs;
  s.maxMs = Math.max(s.maxMs, durationMs);
  s.histogram.recordValue(Math.max(1, Math.round(durationMs)));
  s.worst.push({ startedAt, durationMs, logged, ...(logged ? {} : { noStack: 'rate-limited' }) });
  s.worst.sort((a, b) => b.durationMs - a.durationMs);
  s.worst.length = Math.min(s.worst.length, 5);
}

function snapshot(p, type) {
  const s = p.stalls;
  return {
    type,
    pid: p.pid,
    at: p.now,
    uptimeMs: p.now - 1_767_225_600_000,
    thresholdMs: THRESHOLD,
    mode: 'full',
    heartbeat: 'on-demand',
    lag: { minMs: 0.01, maxMs: s.maxMs, meanMs: 3, stddevMs: 20, p50Ms: 0.4, p90Ms: 2, p99Ms: 250, samples: 1000, source: 'perf_hooks' },
    utilization: 0.4,
    stalls: {
      count: s.count,
      startupCount: s.startupCount,
      totalMs: s.totalMs,
      maxMs: s.maxMs,
      p50Ms: s.histogram.getValueAtPercentile(50),
      p99Ms: s.histogram.getValueAtPercentile(99),
      histogram: hdr.encodeIntoCompressedBase64(s.histogram),
      worst: s.worst,
    },
    threadPool: null,
    topStacks: [],
    syncCalls: [],
    sections: {},
    ...(type === 'checkpoint' ? { ongoing: null } : {}),
  };
}

async function block(p, durationMs) {
  const startedAt = p.now;
  p.now += durationMs + 50;
  const s = Math.floor(random() * STACKS.length);
  countStall(p, durationMs, startedAt, true);
  p.blockEvents++;
  await write({
    type: 'block',
    pid: p.pid,
    startedAt,
    durationMs,
    stack: STACKS[s],
    inFlight: { api: 'child_process.execSync', hint: `node scripts/tool-${s}.js --input /srv/agent-service/data/${Math.floor(random() * 1e6)}.json` },
    context: { 'http.route': '/agent/run', 'http.request.method': 'POST', 'request.id': `r-${p.pid}-${events}` },
    requestsInFlight: 1 + Math.floor(random() * 9),
    late: false,
    signature: `sig-${s}`,
  });
}

// Interleaved processes; each round: a block, now and then a lag window, a checkpoint, an unlogged stall.
let round = 0;
const budget = targetBytes - 64 * 1024;
while (written < budget) {
  for (const p of processes) {
    await block(p, 100 + Math.floor(random() * 900));
    if (round % 3 === 0) {
      p.now += 1000;
      await write({ type: 'lag', pid: p.pid, at: p.now, windowMs: 1000, lag: { minMs: 0.01, maxMs: 300 + random() * 700, meanMs: 2, stddevMs: 10, p50Ms: 0.4, p90Ms: 1.5, p99Ms: 120 + random() * 200, samples: 100, source: 'perf_hooks' }, utilization: random(), threadPool: null });
    }
    // A repeat of a logged stack, not logged again: counted only.
    if (round % 10 === 5) countStall(p, 100 + Math.floor(random() * 400), p.now, false);
    if (round % 200 === 0) await write(snapshot(p, 'checkpoint'));
  }
  round++;
}
// Each process's worst stall, not logged (rate-limited): only the counters know it.
for (const [i, p] of processes.entries()) {
  const startedAt = p.now;
  p.now += 5000 + i * 1000;
  countStall(p, 5000 + i * 1000, startedAt, false);
}
const expected = { processes: [] };
for (const p of processes) {
  if (!p.killed) {
    await write(snapshot(p, 'summary'));
    expected.processes.push({ pid: p.pid, stalls: p.stalls.count, blockEvents: p.blockEvents });
    continue;
  }
  // Killed: a last checkpoint, two blocks logged after it, then a block that never ended.
  await write(snapshot(p, 'checkpoint'));
  await block(p, 250);
  await block(p, 350);
  const startedAt = p.now;
  await write({ type: 'block', pid: p.pid, startedAt, durationMs: 3000, stack: STACKS[0], inFlight: null, context: null, late: false, signature: 'sig-0', ongoing: true });
  expected.processes.push({ pid: p.pid, stalls: p.stalls.count + 1, blockEvents: p.blockEvents + 1, neverEnded: 1 });
}
await new Promise((resolve) => out.end(resolve));
expected.stalls = expected.processes.reduce((sum, p) => sum + p.stalls, 0);
expected.blockEvents = expected.processes.reduce((sum, p) => sum + p.blockEvents, 0);
expected.worstMs = 5000 + (processCount - 1) * 1000;
expected.events = events;
expected.bytes = written;
process.stdout.write(`${JSON.stringify(expected)}\n`);
