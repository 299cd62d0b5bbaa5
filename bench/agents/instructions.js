// Main-thread instructions per tool call under callgrind (repeatable to about 1% whatever the machine's load,
// where wall time here spreads ±30%): tool-server.mjs in each mode — bare (hooks off), als (bare, one
// AsyncLocalStorage#run a call), als-host (bare, in a process whose promise hook is on: a host that uses
// AsyncLocalStorage already, as an OpenTelemetry context manager does), adapter (hooks on) and adapter-auto (hooks on,
// AGENT_LAG_AGENT_ASYNC_CONTEXT=auto: no AsyncLocalStorage until a block needs it) — RUNS times, PARALLEL at a time. A request is
// CALLS_PER_REQUEST (5) tool calls; `http` (no tool call) is the request's own cost, taken out per call.
//
// The monitor's once-a-second work (its state to the worker: lag percentiles, the sections) is taken out too:
// under valgrind a second holds ~50x fewer calls than at full speed, so it would be charged ~50x over per call.
// Every mode runs with a 1 s lag window, so that work is the same each second whether runs end or not (by
// default a state goes out each second only while sections move, i.e. only in the adapter mode); an idle
// window after the counted requests measures it a second, and `requestSeconds` of it is subtracted.
// Env: SDKS (langchain,ai-sdk,mcp,openai-agents; also mcp-stdio: MCP through the stdio framing in one process, and
// mcp-pipe: an MCP stdio server over real pipes, the client outside valgrind — bare and adapter modes only, no `http`), MODES, RUNS (3), WARMUP (300 requests), COUNT (200), PARALLEL (2),
// IDLE_MS (5000); REGISTER (the preload to run under: default the built one; a copy of an older build for a
// before/after, with its package.json beside its dist — it reads it — and under a path ending in runtime-monitor/dist, which
// callgrind-functions.js counts as agent-lag's JS: e.g. node_modules/.old/runtime-monitor/{dist,package.json}); NODE_FLAGS (e.g. --perf-basic-prof) and KEEP_DUMPS (a directory): keep each run's dump,
// labelled `<sdk>-<mode>`, for a function-level diff: node bench/lib/callgrind-functions.js <dir> langchain-als langchain-adapter.
// MONITOR=0: no preload and no monitor (tool-server.mjs installs the agent hooks itself in the adapter mode):
// what the adapter costs per call with nothing periodic in the process at all. The monitor's own share is
// per second, not per call: with runs ending, one state to its worker a second (measured apart, see the README).
// With both, a second table takes the periodic work out exactly rather than by the idle estimate (which the
// machine's load skews: a loaded valgrind process takes longer over the same requests): each dump's total
// less the inclusive cost of Node's processTimers (the monitor's heartbeat and publish; the tool calls and
// the requests use no timer), so every figure in it is the requests' own work.
// GC=outside: no garbage collection among the counted requests — a young-generation one just before them, and a young
// generation of SEMI_SPACE_MB (512) MB a semi-space, which holds them — so the instructions are the mutator's
// alone (where a scavenge lands moves a run's total by ±2%, more than the figures compared), and a second table
// gives the bytes a tool call allocates, which is what it costs the collector (V8's scavenges cost in
// proportion to what survives them, and come as often as the young generation fills); an old generation with a
// far first limit, so that its incremental marking does not start among them either. Runs with --single-threaded
// too: no background collector threads; V8's compiler then runs on the main thread, and still does after thousands
// of warm-up calls (±30k instructions a call between runs): `callgrind-functions.js <dir> <label>... --phases`
// (with KEEP_DUMPS and NODE_FLAGS=--perf-basic-prof) splits each run into compiling, collecting and executing.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindRunSettings, httpDriver, instructionsPerRequest, median, runJobs } from '../lib/callgrind.js';
import { runsOf } from '../lib/callgrind-functions.js';
import { mcpPipeDriver } from './mcp-pipe.mjs';

const { runs, parallel } = callgrindRunSettings('bench/agents instructions');
const warmup = Number(process.env.WARMUP ?? 300);
const count = Number(process.env.COUNT ?? 200);
const callsPerRequest = Number(process.env.CALLS_PER_REQUEST ?? 5);
const script = fileURLToPath(new URL('./tool-server.mjs', import.meta.url));
// mcp-pipe: the server is a stdio MCP server, its client this process; a request is its calls, with nothing of its own to take out.
const mcpPipeScript = fileURLToPath(new URL('./mcp-pipe-server.mjs', import.meta.url));
const pipeModes = new Set(['bare', 'adapter', 'adapter-auto']);
const register = process.env.REGISTER ?? fileURLToPath(new URL('../../packages/runtime-monitor/dist/register.js', import.meta.url));
const idleMs = Number(process.env.IDLE_MS ?? 5000);
const withMonitor = process.env.MONITOR !== '0';
const hooksModule = join(dirname(register), 'agents/hooks.js');
const sdks = (process.env.SDKS ?? 'langchain,ai-sdk,mcp,openai-agents').split(',');
const modes = (process.env.MODES ?? 'http,bare,als-host,als,adapter').split(',');
const nodeFlags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
const keepDir = process.env.KEEP_DUMPS ?? null;
const gcOutside = process.env.GC === 'outside';
const semiSpaceMb = Number(process.env.SEMI_SPACE_MB ?? 512);
// An old generation whose first limit is far off: its incremental marking otherwise starts wherever the limit falls.
const gcFlags = gcOutside
  ? ['--single-threaded', '--expose-gc', `--min-semi-space-size=${semiSpaceMb}`, `--max-semi-space-size=${semiSpaceMb}`, '--initial-old-space-size=1024']
  : [];

const jobs = [];
for (let run = 0; run < runs; run++) for (const sdk of sdks) for (const mode of modes) if (sdk !== 'mcp-pipe' || pipeModes.has(mode)) jobs.push({ sdk, mode });
const results = new Map();
const bytes = new Map();
/** Adds one run's figure to those of `key`. */
const append = (figures, key, value) => figures.set(key, [...(figures.get(key) ?? []), value]);
await runJobs(jobs, parallel, async ({ sdk, mode }) => {
  const {
    perRequest: raw,
    idlePerSecond,
    requestSeconds,
    bytesPerRequest,
    collections,
  } = await instructionsPerRequest({
    script: sdk === 'mcp-pipe' ? mcpPipeScript : script,
    args: [sdk],
    driver: sdk === 'mcp-pipe' ? mcpPipeDriver(callsPerRequest) : httpDriver('/'),
    nodeFlags: [...gcFlags, ...nodeFlags, ...(withMonitor ? ['--import', register] : [])],
    env: {
      AGENT_LAG_SOCKET: '0',
      AGENT_LAG_THRESHOLD_MS: '60000',
      AGENT_LAG_LAG_WINDOW_MS: '1000',
      AGENT_LAG_AGENT_HOOKS: mode.startsWith('adapter') ? '1' : '0',
      // adapter-auto: runs propagate async context only once a block needs it (none does here: the tool does nothing).
      ...(mode === 'adapter-auto' ? { AGENT_LAG_AGENT_ASYNC_CONTEXT: 'auto' } : {}),
      MODE: mode,
      CALLS_PER_REQUEST: mode === 'http' ? '0' : String(callsPerRequest),
      ...(withMonitor ? {} : { AGENT_HOOKS_MODULE: hooksModule }),
    },
    warmup,
    count,
    keepDir,
    label: `${sdk}-${mode}`,
    idleMs,
    heapPath: gcOutside ? '/heap' : null,
  });
  const perRequest = raw - (idlePerSecond * requestSeconds) / count;
  append(results, `${sdk}/${mode}`, perRequest);
  const allocated = bytesPerRequest === undefined ? '' : `, ${Math.round(bytesPerRequest)} bytes allocated, ${collections} collections`;
  console.error(`${sdk}/${mode}: ${Math.round(raw)} raw, ${Math.round(idlePerSecond)} a second idle, ${Math.round(perRequest)} without periodic${allocated}`);
  if (collections > 0) console.error(`${sdk}/${mode}: ${collections} garbage collections or marking steps among the counted requests (its bytes left out): rerun, or raise SEMI_SPACE_MB or lower COUNT`);
  if (bytesPerRequest !== undefined && collections === 0) append(bytes, `${sdk}/${mode}`, bytesPerRequest);
});

const k = (value) => `${(value / 1000).toFixed(1)}k`;
const shown = ['bare', 'als-host', 'als', 'adapter', 'adapter-auto'].filter((mode) => modes.includes(mode));
const compared = [
  ['adapter', 'bare'],
  ['adapter-auto', 'bare'],
  ['adapter', 'als-host'],
  ['adapter', 'als'],
  ['als-host', 'bare'],
].filter(([a, b]) => modes.includes(a) && modes.includes(b));

/** One table: `perCallRuns(sdk, mode)` gives a mode's per-call figures (one per run). */
function printTable(perCallRuns) {
  console.log(`| SDK | ${[...shown, ...compared.map(([a, b]) => `${a} vs ${b}`)].join(' | ')} |`);
  console.log(`|---|${[...shown, ...compared].map(() => '---:').join('|')}|`);
  for (const sdk of sdks) {
    const perCall = (mode) => (perCallRuns(sdk, mode).length === 0 ? NaN : median(perCallRuns(sdk, mode)));
    const cell = (mode) => {
      const all = perCallRuns(sdk, mode);
      return all.length === 0 ? '—' : `${k(perCall(mode))} (${k(Math.min(...all))}–${k(Math.max(...all))})`;
    };
    const change = ([a, b]) => `${((perCall(a) / perCall(b) - 1) * 100).toFixed(1)}%`;
    console.log(`| ${sdk} | ${[...shown.map(cell), ...compared.map(change)].join(' | ')} |`);
  }
}

console.log(`Node ${process.version}; main-thread instructions per tool call (callgrind), without the monitor's periodic work; median of ${runs} runs of ${count} requests × ${callsPerRequest} calls after ${warmup} requests`);
// Per tool call: the request's instructions less the request's own (the `http` mode), over the calls.
printTable((sdk, mode) => {
  const http = median(results.get(`${sdk}/http`) ?? [0]);
  return (results.get(`${sdk}/${mode}`) ?? []).map((value) => (value - http) / callsPerRequest);
});

if (gcOutside) {
  console.log(`\nBytes allocated per tool call (the young generation's growth over the counted requests, with no collection among them), median (min–max) of the runs without one`);
  printTable((sdk, mode) => {
    const http = median(bytes.get(`${sdk}/http`) ?? [0]);
    return (bytes.get(`${sdk}/${mode}`) ?? []).map((value) => (value - http) / callsPerRequest);
  });
}

if (keepDir !== null && nodeFlags.some((flag) => flag.startsWith('--perf-basic-prof'))) {
  /** Per kept run of `<sdk>-<mode>`: instructions a request, less the timers' (named through the perf map). */
  const withoutTimers = (sdk, mode) =>
    runsOf(keepDir, `${sdk}-${mode}`).map((run) => {
      let total = 0;
      for (const value of run.self.values()) total += value;
      for (const [name, value] of run.inclusive) if (/^JS:\W?processTimers node:internal\/timers/.test(name)) total -= value;
      return total;
    });
  console.log(`\nThe same, each dump less its timers' inclusive instructions (${keepDir}); per tool call, median (min–max)`);
  printTable((sdk, mode) => {
    const httpRuns = withoutTimers(sdk, 'http');
    const http = httpRuns.length === 0 ? 0 : median(httpRuns);
    return withoutTimers(sdk, mode).map((value) => (value - http) / callsPerRequest);
  });
}
