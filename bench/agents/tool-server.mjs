// The server instructions.js counts under callgrind: each GET runs CALLS_PER_REQUEST (5) calls of a tool
// that does nothing through one SDK, one after the other, then answers. Run under the monitor's preload
// with AGENT_LAG_AGENT_HOOKS=0 (bare), MODE=als (bare, each call in one AsyncLocalStorage#run) or the
// hooks on (adapter). argv[2]: the SDK. Prints {"port":N} once listening.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { setups } from './sdk-calls.mjs';

// AGENT_HOOKS_MODULE (instructions.js with MONITOR=0): no preload, no monitor; the adapter mode installs the
// hooks itself, as the preload would, so its calls are trackRun runs on a tracker that publishes nothing.
if (process.env.AGENT_HOOKS_MODULE !== undefined && process.env.AGENT_LAG_AGENT_HOOKS !== '0') {
  const { installAgentHooks } = await import(pathToFileURL(process.env.AGENT_HOOKS_MODULE).href);
  installAgentHooks();
}
const setup = setups[process.argv[2]];
if (setup === undefined) throw new Error(`unknown SDK ${process.argv[2]}`);
const { once: call } = await setup();
const callsPerRequest = Number(process.env.CALLS_PER_REQUEST ?? 5);
const storage = new AsyncLocalStorage();
const store = { tool: 'noop' };
const once = process.env.MODE === 'als' ? () => storage.run(store, call) : call;
// MODE=als-host: the bare SDK in a host that already uses AsyncLocalStorage (an OpenTelemetry context manager):
// one run at start-up turns Node 20/22's promise hook on for the whole process, as the host's first traced request would.
if (process.env.MODE === 'als-host') storage.run(store, () => {});

async function calls() {
  for (let i = 0; i < callsPerRequest; i++) await once();
}

// instructions.js with GC=outside (node --expose-gc): GET /heap answers the young generation's used bytes, after
// a young-generation collection with ?gc=1, so the counted requests start on an empty young generation and their
// allocation is measured. Not a full one: V8 then drops optimised code and the counted requests recompile it.
// Young only: what the calls allocate goes there, and V8's compiler, whose timing varies run to run, allocates
// its code and metadata in the old generation.
function answerHeap(req, res) {
  if (req.url === '/heap?gc=1') globalThis.gc({ type: 'minor' });
  const young = getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);
  res.end(JSON.stringify(young));
}

const server = createServer((req, res) => {
  if (typeof globalThis.gc === 'function' && req.url.startsWith('/heap')) {
    answerHeap(req, res);
    return;
  }
  calls().then(
    () => res.end('ok'),
    (error) => {
      res.statusCode = 500;
      res.end(String(error));
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
