// Idle CPU of one process: node bench/monitor/idle.mjs none|lag-only|full [seconds] [settle seconds]
// [settle] s (default 1) for start-up work (V8's background compilation and GC) to finish, then the
// process's own cpuUsage() over [seconds] (default 5) with nothing to do.
const mode = process.argv[2] ?? 'none';
const seconds = Number(process.argv[3] ?? 5);
const settleSeconds = Number(process.argv[4] ?? 1);
if (mode !== 'none') {
  const { startMonitor } = await import(new URL('../../packages/runtime-monitor/dist/index.js', import.meta.url).href);
  startMonitor(mode === 'lag-only' ? { captureStacks: false, syncWrappers: false, socket: false } : { captureStacks: true, syncWrappers: true, socket: true });
}
await new Promise((r) => setTimeout(r, settleSeconds * 1000));
const before = process.cpuUsage();
await new Promise((r) => setTimeout(r, seconds * 1000));
const used = process.cpuUsage(before);
console.log(JSON.stringify({ mode, cpuMs: (used.user + used.system) / 1000, perSecMs: (used.user + used.system) / 1000 / seconds }));
process.exit(0);
