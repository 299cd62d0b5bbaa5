// Idle CPU of one process: node bench/monitor/idle.mjs none|lag-only|full|full-timer [seconds] [settle seconds]
// [settle] s (default 1) for start-up work (V8's background compilation and GC) to finish, then the
// process's own cpuUsage() over [seconds] (default 5) with nothing to do. full-timer is the full monitor
// with heartbeat: 'timer' (a beat every heartbeat period, as where /proc cannot show an idle loop).
// Where /proc has per-thread schedstat (Linux), `threads` splits the figure: the main thread, then the others.
import { readdirSync, readFileSync } from 'node:fs';

const mode = process.argv[2] ?? 'none';
const seconds = Number(process.argv[3] ?? 5);
const settleSeconds = Number(process.argv[4] ?? 1);
const OPTIONS = {
  'lag-only': { captureStacks: false, syncWrappers: false, socket: false },
  full: { captureStacks: true, syncWrappers: true, socket: true },
  'full-timer': { captureStacks: true, syncWrappers: true, socket: true, heartbeat: 'timer' },
};
if (mode !== 'none') {
  if (OPTIONS[mode] === undefined) throw new Error(`unknown mode ${mode}`);
  const { startMonitor } = await import(new URL('../../packages/runtime-monitor/dist/index.js', import.meta.url).href);
  startMonitor(OPTIONS[mode]);
}

/** CPU ns per thread id, or null off Linux. */
function threadCpu() {
  try {
    const byThread = {};
    for (const tid of readdirSync('/proc/self/task')) byThread[tid] = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return byThread;
  } catch {
    return null;
  }
}

await new Promise((r) => setTimeout(r, settleSeconds * 1000));
const threadsBefore = threadCpu();
const before = process.cpuUsage();
await new Promise((r) => setTimeout(r, seconds * 1000));
const used = process.cpuUsage(before);
const threadsAfter = threadCpu();
// The main thread (tid = pid), then the others, busiest first (the sentinel and the watchdog lead).
let threads;
if (threadsBefore !== null && threadsAfter !== null) {
  const perSecMs = (tid) => Math.round(((threadsAfter[tid] - (threadsBefore[tid] ?? 0)) / 1e6 / seconds) * 100) / 100;
  const others = Object.keys(threadsAfter).filter((tid) => tid !== String(process.pid)).map(perSecMs).filter((ms) => ms >= 0.01);
  threads = { main: perSecMs(String(process.pid)), others: others.sort((a, b) => b - a) };
}
console.log(JSON.stringify({ mode, cpuMs: (used.user + used.system) / 1000, perSecMs: (used.user + used.system) / 1000 / seconds, threads }));
process.exit(0);
