// One benchmark target: a node:http JSON endpoint with the monitor configuration named in argv[2].
// Prints "ready <port>" once listening (and the monitor is running); on a stdin line "idle <ms>" it
// measures its own CPU time over that long with no traffic and prints "idle <cpu ms>".
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const config = process.argv[2];
// BENCH_MONITOR_DIST: another build's dist/ (a scratch copy with a change tried out, an older commit).
const runtimeMonitorDist = process.env.BENCH_MONITOR_DIST
  ? pathToFileURL(`${process.env.BENCH_MONITOR_DIST.replace(/\/$/, '')}/`)
  : new URL('../../packages/runtime-monitor/dist/', import.meta.url);
/** Under valgrind everything is ~50x slower and would read as stalls: the instruction-count run raises it. */
const thresholdMs = Number(process.env.BENCH_THRESHOLD_MS ?? 100);

async function startConfiguration() {
  switch (config) {
    case 'none':
      return;
    case 'prom-client': {
      const { default: client } = await import('prom-client');
      client.collectDefaultMetrics(); // includes nodejs_eventloop_lag_* via monitorEventLoopDelay
      return;
    }
    case 'sentry':
    case 'sentry block-only': {
      // Sentry's event-loop-block detection (a native addon's per-thread state polled from a watchdog
      // worker). `sentry` is what a Sentry user runs: the default integrations (HTTP request isolation and
      // sessions, console, …) plus the block integration; `sentry block-only` is the block integration
      // alone, the like-for-like anchor for agent-lag's monitor. Events go nowhere: a DSN on a closed
      // loopback port (the integration starts only with a DSN) and a transport that drops them.
      const Sentry = await import('@sentry/node');
      const { eventLoopBlockIntegration } = await import('@sentry/node-native');
      Sentry.init({
        dsn: 'http://public@127.0.0.1:9/1',
        transport: () => ({ send: () => Promise.resolve({}), flush: () => Promise.resolve(true) }),
        defaultIntegrations: config === 'sentry' ? undefined : false,
        integrations: [eventLoopBlockIntegration({ threshold: thresholdMs })],
      });
      await sleep(300); // the integration starts its worker from a setImmediate after init
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
        thresholdMs,
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
