// One benchmark target: a node:http JSON endpoint with the monitor configuration named in argv[2].
// Prints "ready <port>" once listening (and the monitor is running); on a stdin line "idle <ms>" it
// measures its own CPU time over that long with no traffic and prints "idle <cpu ms>".
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const config = process.argv[2];
const runtimeMonitorDist = new URL('../../packages/runtime-monitor/dist/', import.meta.url);

async function startConfiguration() {
  switch (config) {
    case 'none':
      return;
    case 'prom-client': {
      const { default: client } = await import('prom-client');
      client.collectDefaultMetrics(); // includes nodejs_eventloop_lag_* via monitorEventLoopDelay
      return;
    }
    case 'blocked-at': {
      const { default: blocked } = await import('blocked-at');
      blocked(() => {}, { threshold: 100 });
      return;
    }
    case 'agent-lag wrappers+probe': {
      // This engineer's parts alone: sync wrappers and the thread-pool probe, no watchdog.
      const inflight = await import(new URL('inflight/index.js', runtimeMonitorDist).href);
      const threadpool = await import(new URL('threadpool/index.js', runtimeMonitorDist).href);
      inflight.installSyncWrappers({ buffer: inflight.createInFlightBuffer(), slowCallMs: 10, isAfterStartup: () => true });
      threadpool.startThreadPoolProbe({ intervalMs: 1000 });
      return;
    }
    case 'agent-lag lag-only':
    case 'agent-lag full': {
      const { startMonitor } = await import(new URL('index.js', runtimeMonitorDist).href);
      const full = config === 'agent-lag full';
      await startMonitor({
        // The instruction-count run raises it: under valgrind everything is ~50x slower and would read as stalls.
        thresholdMs: Number(process.env.BENCH_THRESHOLD_MS ?? 100),
        reportPath: null,
        socket: full,
        captureStacks: full,
        syncWrappers: full,
      });
      await sleep(300); // let the watchdog worker start before load arrives
      return;
    }
    default:
      throw new Error(`unknown configuration ${config}`);
  }
}

await startConfiguration();
const body = { ok: true, model: 'bench', tokens: [1, 2, 3, 4, 5, 6, 7, 8], note: 'agent-lag monitor overhead benchmark' };
const server = createServer((request, response) => {
  const payload = JSON.stringify({ ...body, path: request.url });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`ready ${typeof address === 'object' && address ? address.port : 0}`);
});

createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, argument] = line.split(' ');
  if (command === 'idle') {
    const before = process.cpuUsage();
    await sleep(Number(argument));
    const used = process.cpuUsage(before);
    console.log(`idle ${(used.user + used.system) / 1000}`);
  }
});
process.stdin.on('end', () => process.exit(0));
