// What TurboFan inlines into the MCP SDK's code that sends a tool call's response, per mode: mcp-pipe-server.mjs
// (hooks off: bare; on, AGENT_LAG_AGENT_ASYNC_CONTEXT=auto: adapter-auto) driven by the SDK's Client as in
// instructions.js (SDKS=mcp-pipe), run with --trace-turbo-inlining. The server answers on fd 3 (MCP_OUT_FD), so
// V8's trace, which it prints on stdout, does not mix with the JSON-RPC channel. For each mode: the functions
// inlined into Protocol's `.then` closure that sends a handler's result, in order, with their bytecode sizes,
// and whether the stream's `_write` is among them. V8 stops inlining a candidate once the inlined bytecode would
// pass its budget (--max-inlined-bytecode-size-cumulative, 920 on Node 20–24) — what the adapter's wrappers spend
// of it, the write can no longer have. MODES (bare,adapter-auto), CALLS (20000), MONITOR=1 under the preload,
// KEEP (a directory: keep each trace).
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mcpPipeDriver } from './mcp-pipe.mjs';

const modes = (process.env.MODES ?? 'bare,adapter-auto').split(',');
const calls = Number(process.env.CALLS ?? 20_000);
const withMonitor = process.env.MONITOR === '1';
const keep = process.env.KEEP ?? null;
const script = fileURLToPath(new URL('./mcp-pipe-server.mjs', import.meta.url));
const register = fileURLToPath(new URL('../../packages/runtime-monitor/dist/register.js', import.meta.url));
const hooksModule = join(dirname(register), 'agents/hooks.js');
// Protocol's closure that sends a request handler's result (its name as V8's trace gives it).
const SENDER = 'then.then.then.errorResponse.jsonrpc';

async function trace(mode, path) {
  const out = openSync(path, 'w');
  const child = spawn(process.execPath, ['--trace-opt', '--trace-turbo-inlining', ...(withMonitor ? ['--import', register] : []), script], {
    stdio: ['pipe', out, 'pipe', 'pipe'],
    env: {
      ...process.env,
      MCP_OUT_FD: '3',
      AGENT_LAG_SOCKET: '0',
      AGENT_LAG_THRESHOLD_MS: '60000',
      AGENT_HOOKS_MODULE: withMonitor ? undefined : hooksModule,
      AGENT_LAG_AGENT_HOOKS: mode === 'bare' ? '0' : '1',
      ...(mode === 'adapter-auto' ? { AGENT_LAG_AGENT_ASYNC_CONTEXT: 'auto' } : {}),
    },
  });
  try {
    const { load } = await mcpPipeDriver(1)({ stdin: child.stdin, stdout: child.stdio[3], stderr: child.stderr });
    await load(calls);
  } finally {
    child.kill();
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
    closeSync(out);
  }
}

/** Per optimisation of the sender (--trace-opt's "compiling method" lines), what it inlined: `{ name, size }` (size 0: a small function, inlined without a size in the trace). */
function inlinedIntoSender(text) {
  const sizes = new Map();
  const compilations = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('[compiling method') && line.includes(`<JSFunction ${SENDER} `) && line.includes('TURBOFAN')) compilations.push([]);
    const target = /target: \S+ \{(0x[0-9a-f]+) <SharedFunctionInfo ?([^>]*)>\}, bytecode size: (\d+)/.exec(line);
    if (target !== null) sizes.set(target[1], Number(target[3]));
    const inlining = /^Inlining \S+ \{(0x[0-9a-f]+) <SharedFunctionInfo ?([^>]*)>\} into \S+ \{\S+ <SharedFunctionInfo ([^>]*)>\}/.exec(line);
    if (inlining !== null && inlining[3] === SENDER && compilations.length > 0) {
      compilations.at(-1).push({ name: inlining[2] || '(anonymous)', size: sizes.get(inlining[1]) ?? 0 });
    }
  }
  return compilations;
}

const dir = keep ?? mkdtempSync(join(tmpdir(), 'agent-lag-inlining-'));
try {
  for (const mode of modes) {
    const path = join(dir, `${mode}.trace`);
    await trace(mode, path);
    const compilations = inlinedIntoSender(readFileSync(path, 'utf8'));
    if (compilations.length === 0) console.log(`${mode}: Protocol's sender was not optimised in ${calls} calls`);
    compilations.forEach((inlined, index) => {
      const total = inlined.reduce((sum, { size }) => sum + size, 0);
      const write = inlined.some(({ name }) => name === '_write') ? "_write inlined" : "_write NOT inlined";
      console.log(`${mode}, compilation ${index + 1}: ${write}; ${total} bytes of bytecode inlined (sized ones)`);
      console.log(`  ${inlined.map(({ name, size }) => `${name} ${size}`).join(', ')}`);
    });
  }
} finally {
  if (keep === null) rmSync(dir, { recursive: true, force: true });
}
