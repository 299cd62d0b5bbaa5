// Main-thread instructions per tool call under callgrind (repeatable to about 1% whatever the machine's load,
// where wall time here spreads ±30%): tool-server.mjs in each mode — bare (hooks off), als (bare, one
// AsyncLocalStorage#run a call) and adapter (hooks on) — RUNS times, PARALLEL at a time. A request is
// CALLS_PER_REQUEST (5) tool calls; `http` (no tool call) is the request's own cost, taken out per call.
// Env: SDKS (langchain,ai-sdk,mcp,openai-agents), MODES, RUNS (3), WARMUP (300 requests), COUNT (200), PARALLEL (2).
import { fileURLToPath } from 'node:url';
import { callgrindRunSettings, instructionsPerRequest, median, runJobs } from '../lib/callgrind.js';

const { runs, parallel } = callgrindRunSettings('bench/agents instructions');
const warmup = Number(process.env.WARMUP ?? 300);
const count = Number(process.env.COUNT ?? 200);
const callsPerRequest = Number(process.env.CALLS_PER_REQUEST ?? 5);
const script = fileURLToPath(new URL('./tool-server.mjs', import.meta.url));
const register = fileURLToPath(new URL('../../packages/runtime-monitor/dist/register.js', import.meta.url));
const sdks = (process.env.SDKS ?? 'langchain,ai-sdk,mcp,openai-agents').split(',');
const modes = (process.env.MODES ?? 'http,bare,als,adapter').split(',');

const jobs = [];
for (let run = 0; run < runs; run++) for (const sdk of sdks) for (const mode of modes) jobs.push({ sdk, mode });
const results = new Map();
await runJobs(jobs, parallel, async ({ sdk, mode }) => {
  const { perRequest } = await instructionsPerRequest({
    script,
    args: [sdk],
    nodeFlags: ['--import', register],
    env: {
      AGENT_LAG_SOCKET: '0',
      AGENT_LAG_THRESHOLD_MS: '60000',
      AGENT_LAG_AGENT_HOOKS: mode === 'adapter' ? '1' : '0',
      MODE: mode,
      CALLS_PER_REQUEST: mode === 'http' ? '0' : String(callsPerRequest),
    },
    path: '/',
    warmup,
    count,
  });
  results.set(`${sdk}/${mode}`, [...(results.get(`${sdk}/${mode}`) ?? []), perRequest]);
  console.error(`${sdk}/${mode}: ${Math.round(perRequest)}`);
});

const k = (value) => `${(value / 1000).toFixed(1)}k`;
console.log(`Node ${process.version}; main-thread instructions per tool call (callgrind), median of ${runs} runs of ${count} requests × ${callsPerRequest} calls after ${warmup} requests`);
console.log('| SDK | bare | als | adapter | adapter vs bare | als vs bare | adapter vs als |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const sdk of sdks) {
  const http = median(results.get(`${sdk}/http`) ?? [0]);
  // Per tool call: the request's instructions less the request's own (the `http` mode), over the calls.
  const perCall = (mode) => (median(results.get(`${sdk}/${mode}`) ?? [NaN]) - http) / callsPerRequest;
  const cell = (mode) => {
    const all = (results.get(`${sdk}/${mode}`) ?? []).map((value) => (value - http) / callsPerRequest);
    return all.length === 0 ? '—' : `${k(perCall(mode))} (${k(Math.min(...all))}–${k(Math.max(...all))})`;
  };
  const change = (a, b) => `${((perCall(a) / perCall(b) - 1) * 100).toFixed(1)}%`;
  console.log(`| ${sdk} | ${cell('bare')} | ${cell('als')} | ${cell('adapter')} | ${change('adapter', 'bare')} | ${change('als', 'bare')} | ${change('adapter', 'als')} |`);
}
