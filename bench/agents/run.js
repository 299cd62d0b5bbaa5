// `npm run bench -- agents`: what the agent SDK adapters cost (issue #17).
//  1. Per tool call: a tool that does nothing, called through each SDK, in fresh processes under the
//     monitor's preload — bare (AGENT_LAG_AGENT_HOOKS=0), als-host (bare, in a process whose AsyncLocalStorage
//     promise hook is on, as under an OpenTelemetry context manager), als (bare, each call in one
//     AsyncLocalStorage#run) and adapter (the hooks on) — interleaved in one run, PAIRS times; the median of each
//     process's round medians, and the median of the adapter/bare and adapter/als-host ratios of the processes
//     started side by side.
//  2. Start-up with no SDK loaded: `node --import …/register app.mjs` with the hooks on and off, interleaved,
//     from a directory with no SDK installed near it and from the repository (SDKs installed, none loaded).
// Env: PAIRS (5), ROUNDS (7), SDKS (all; empty: start-up only), STARTS (15). Prints markdown tables; the README has the figures.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../..');
const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
const PAIRS = Number(process.env.PAIRS ?? 5);
const STARTS = Number(process.env.STARTS ?? 15);
const SDKS = (process.env.SDKS ?? 'langchain,ai-sdk,mcp,openai-agents').split(',').filter(Boolean);
const MODES = ['bare', 'als-host', 'als', 'adapter'];

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percent = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const micros = (ns) => `${(ns / 1000).toFixed(1)} µs`;

function baseEnv(extra) {
  // No socket, no log: the monitor's defaults otherwise, as `agent-lag run` starts it.
  return { ...process.env, AGENT_LAG_SOCKET: '0', NO_COLOR: '1', ...extra };
}

function toolCallProcess(sdk, mode) {
  const env = baseEnv({ AGENT_LAG_AGENT_HOOKS: mode === 'adapter' ? '1' : '0', MODE: mode, ROUNDS: process.env.ROUNDS ?? '7' });
  const child = spawnSync(process.execPath, ['--import', register, join(here, 'tool-calls.mjs'), sdk], { cwd: repoRoot, env, encoding: 'utf8', timeout: 300_000 });
  const line = child.stdout.trim().split('\n').at(-1);
  if (child.status !== 0 || !line) throw new Error(`${sdk} ${mode}: exit ${child.status}\n${child.stderr}`);
  return median(JSON.parse(line).nsPerCall);
}

console.log(`Node ${process.version}, ${PAIRS} processes per SDK and mode, interleaved`);
console.log('\n### Per tool call (a tool that does nothing), median ns per call\n');
console.log('| SDK | bare | als-host | als | adapter | adapter vs bare (median of pairs, min–max) | adapter vs als-host (same) | als vs bare |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const sdk of SDKS) {
  const runs = Object.fromEntries(MODES.map((mode) => [mode, []]));
  for (let pair = 0; pair < PAIRS; pair++) {
    // Alternate the order, so neither mode always runs first after the other's load.
    const order = pair % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) runs[mode].push(toolCallProcess(sdk, mode));
  }
  const adapterRatios = runs.adapter.map((ns, i) => ns / runs.bare[i]);
  const hostRatios = runs.adapter.map((ns, i) => ns / runs['als-host'][i]);
  const alsRatios = runs.als.map((ns, i) => ns / runs.bare[i]);
  const spread = (ratios) => `${percent(median(ratios))} (${percent(Math.min(...ratios))} – ${percent(Math.max(...ratios))})`;
  console.log(
    `| ${sdk} | ${micros(median(runs.bare))} | ${micros(median(runs['als-host']))} | ${micros(median(runs.als))} | ${micros(median(runs.adapter))} | ` +
      `${spread(adapterRatios)} | ${spread(hostRatios)} | ${percent(median(alsRatios))} |`,
  );
}

function startOnce(cwd, app, hooks) {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', register, app], { cwd, env: baseEnv({ AGENT_LAG_AGENT_HOOKS: hooks ? '1' : '0' }), encoding: 'utf8' });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`start-up app: exit ${child.status}\n${child.stderr}`);
  return { ms, requireHook: JSON.parse(child.stdout.trim()).requireHook };
}

console.log(`\n### Start-up with no SDK loaded: spawn to exit, median of ${STARTS} interleaved starts\n`);
console.log('| where the app is | hooks off | hooks on | difference | require() hook installed (on) |');
console.log('| --- | ---: | ---: | ---: | --- |');
const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-bench-agents-'));
try {
  const lonely = join(scratch, 'app.mjs');
  copyFileSync(join(here, 'startup-app.mjs'), lonely);
  const places = [
    ['a directory with no SDK near it', scratch, lonely],
    ['the repository (the four SDKs installed, none loaded)', repoRoot, join(here, 'startup-app.mjs')],
  ];
  for (const [label, cwd, app] of places) {
    startOnce(cwd, app, true); // warm the file cache
    const off = [];
    const on = [];
    let requireHook = false;
    for (let i = 0; i < STARTS; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const hooks of order) {
        const { ms, requireHook: installed } = startOnce(cwd, app, hooks);
        (hooks ? on : off).push(ms);
        if (hooks) requireHook ||= installed;
      }
    }
    console.log(`| ${label} | ${median(off).toFixed(1)} ms | ${median(on).toFixed(1)} ms | ${(median(on) - median(off)).toFixed(1)} ms | ${requireHook ? 'yes' : 'no'} |`);
  }

  // The hooks' own start-up, timed inside the process: what the difference above is made of, without the
  // noise of a whole process start.
  console.log(`\n### installAgentHooks() itself, median of ${STARTS} processes\n`);
  console.log('| where the app is | time | require() hook installed |');
  console.log('| --- | ---: | --- |');
  const hooksModule = join(repoRoot, 'packages/runtime-monitor/dist/agents/hooks.js');
  const lonelyProbe = join(scratch, 'install-hooks.mjs');
  copyFileSync(join(here, 'install-hooks.mjs'), lonelyProbe);
  for (const [label, cwd, probe] of [
    ['a directory with no SDK near it', scratch, lonelyProbe],
    ['the repository (the four SDKs installed, none loaded)', repoRoot, join(here, 'install-hooks.mjs')],
  ]) {
    const times = [];
    let requireHook = false;
    for (let i = 0; i < STARTS; i++) {
      const child = spawnSync(process.execPath, [probe, hooksModule], { cwd, env: baseEnv({}), encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`install-hooks: exit ${child.status}\n${child.stderr}`);
      const result = JSON.parse(child.stdout.trim());
      times.push(result.ms);
      requireHook ||= result.requireHook;
    }
    console.log(`| ${label} | ${median(times).toFixed(2)} ms | ${requireHook ? 'yes' : 'no'} |`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
