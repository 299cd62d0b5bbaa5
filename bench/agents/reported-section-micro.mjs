// What the MCP adapter's reported section (its send marked in the in-flight record) costs per call: main-thread
// instructions under callgrind, a send that does nothing called directly and as a reported section, the
// monitor's sync wrappers installed (as under agent-lag run). Each mode runs at two call counts; the difference
// over the extra calls is its per-call cost, free of start-up. --single-threaded: V8 compiles on the main
// thread, so the code is optimised when valgrind's slow clock would otherwise leave it in baseline code.
//
//   npm run build && node bench/agents/reported-section-micro.mjs      # needs valgrind; ≈ 1 min
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { callgrindAvailable } from '../lib/callgrind.js';

const [mode, count] = process.argv.slice(2);
if (mode !== undefined) {
  const { createInFlightBuffer, installSyncWrappers } = await import('../../packages/runtime-monitor/dist/inflight/index.js');
  const { runReportedSection } = await import('../../packages/runtime-monitor/dist/inflight/sections.js');
  installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs: 10_000, isAfterStartup: () => true });
  let sent = 0;
  const send = (message) => (sent += message.length);
  const sendReported = function (message, options) {
    return runReportedSection(callSend, send, this, message, options);
  };
  function callSend(message, options) {
    return mode === 'section' ? sendReported.call(this, message, options) : send.call(this, message, options);
  }
  for (let i = 0; i < Number(count); i++) callSend.call(null, 'x', undefined);
  if (sent !== Number(count)) throw new Error('the calls did not run');
} else {
  if (!callgrindAvailable()) throw new Error('needs valgrind');
  const script = fileURLToPath(import.meta.url);
  const instructions = (which, calls) => {
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', script, which, String(calls)], { encoding: 'utf8' });
    const collected = /Collected : (\d+)/.exec(run.stderr)?.[1];
    if (run.status !== 0 || collected === undefined) throw new Error(`callgrind failed: ${run.stderr.slice(-500)}`);
    return Number(collected);
  };
  const few = 100_000;
  const many = 1_100_000;
  const perCall = {};
  for (const which of ['plain', 'section']) perCall[which] = (instructions(which, many) - instructions(which, few)) / (many - few);
  console.log(`node ${execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim()}: instructions a call, plain ${perCall.plain.toFixed(0)}, as a reported section ${perCall.section.toFixed(0)}: +${(perCall.section - perCall.plain).toFixed(0)}`);
}
