// One process of the per-call benchmark: a tool that does nothing, called through one SDK, CALLS times a
// round. Run under the monitor's preload, with AGENT_LAG_AGENT_HOOKS=0 (the bare SDK) or not (the
// adapter): the only difference between the two is the adapter. With MODE=als (and the hooks off), each
// call runs in one AsyncLocalStorage#run instead: what any context-propagating APM pays on Node 20/22,
// where AsyncLocalStorage turns on a promise hook for every promise. argv[2]: the SDK.
// Prints one JSON line: { sdk, mode, nsPerCall: [ns per call of each round] }.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { setups } from './sdk-calls.mjs';

const sdk = process.argv[2];
const CALLS = Number(process.env.CALLS ?? 0) || undefined;
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const setup = setups[sdk];
if (setup === undefined) throw new Error(`unknown SDK ${sdk} (one of ${Object.keys(setups).join(', ')})`);
const { calls: defaultCalls, once: call } = await setup();
const calls = CALLS ?? defaultCalls;
const mode = process.env.MODE ?? (process.env.AGENT_LAG_AGENT_HOOKS === '0' ? 'bare' : 'adapter');
const storage = new AsyncLocalStorage();
const store = { tool: 'noop' };
const once = mode === 'als' ? () => storage.run(store, call) : call;
// als-host: the bare SDK in a host that already uses AsyncLocalStorage (an OpenTelemetry context manager): one
// run at start-up turns Node 20/22's promise hook on for the whole process, as the host's first traced request would.
if (mode === 'als-host') storage.run(store, () => {});

async function round() {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await once();
  return ((performance.now() - started) * 1e6) / calls;
}

await round(); // warm-up: V8 tiers the SDK's code and ours up
await round();
const nsPerCall = [];
for (let i = 0; i < ROUNDS; i++) nsPerCall.push(await round());
console.log(JSON.stringify({ sdk, mode, nsPerCall }));
