// The server instructions.js counts under callgrind: each GET runs CALLS_PER_REQUEST (5) calls of a tool
// that does nothing through one SDK, one after the other, then answers. Run under the monitor's preload
// with AGENT_LAG_AGENT_HOOKS=0 (bare), MODE=als (bare, each call in one AsyncLocalStorage#run) or the
// hooks on (adapter). argv[2]: the SDK. Prints {"port":N} once listening.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import { setups } from './sdk-calls.mjs';
import { answerHeap, installHooksFromEnv } from './server-setup.mjs';

await installHooksFromEnv();
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
