import { dirname } from 'node:path';

/**
 * The expression `watch --attach` evaluates in the target. It loads the monitor and opens a private
 * control socket in a 0700 directory the CLI made; the monitor runs only while the CLI holds that
 * connection. However the CLI ends — Ctrl-C, --duration, SIGKILL — the kernel closes the connection
 * and the target stops the monitor, closes the control socket, removes the CLI's directory for it (when
 * it may: same user) and deletes its global, so nothing is left behind. The monitor is started from a timer after `process._debugEnd()`, i.e. after the
 * inspector port is closed again: it is open only for the moment of injection, and the monitor does not
 * see an inspector in use and fall back to lag-only.
 *
 * Progress is reported on the control connection as NDJSON: {"type":"started","socketPath"} or
 * {"type":"failed","message"}.
 */
export interface InjectParameters {
  /** Absolute path of the monitor's entry module (ESM, loaded with require(esm): Node 20.19+/22.12+). */
  monitorPath: string;
  controlPath: string;
  thresholdMs: number | undefined;
  /** How long the target waits for the CLI to connect before giving up and cleaning up. */
  connectTimeoutMs: number;
}

/** The global the injected code installs while it runs, so a second attach is refused. */
export const ATTACH_GLOBAL = 'agent-lag.attach';

export function injectExpression(parameters: InjectParameters): string {
  // Loading the monitor blocks the target briefly; that is ours, so it counts as start-up, not as its block.
  const options: Record<string, unknown> = { socket: true, syncWrappers: false, startupGraceMs: 250 };
  if (parameters.thresholdMs !== undefined) options['thresholdMs'] = parameters.thresholdMs;
  return `(() => {
  const key = Symbol.for(${JSON.stringify(ATTACH_GLOBAL)});
  if (globalThis[key]) return { ok: false, message: 'another agent-lag watch is already attached to this process' };
  // The command-line API's require exists only during this evaluation: take everything needed now.
  const net = require('node:net');
  const path = require('node:path');
  const os = require('node:os');
  const fs = require('node:fs');
  const { startMonitor, getMonitor } = require(${JSON.stringify(parameters.monitorPath)});
  if (typeof startMonitor !== 'function') return { ok: false, message: 'the agent-lag monitor module has no startMonitor' };
  // Its own monitor (started without a socket) must not be stopped by our clean-up.
  if (typeof getMonitor === 'function' && getMonitor()) return { ok: false, message: 'it already runs an agent-lag monitor, without its control socket' };
  const state = { handle: null, client: null, status: null, done: false };
  const send = () => { if (state.client && state.status) state.client.write(JSON.stringify(state.status) + '\\n'); };
  const cleanup = () => {
    if (state.done) return;
    state.done = true;
    clearTimeout(state.timer);
    try { if (state.handle) state.handle.stop(); } catch {}
    // Closing the server unlinks its socket file; then the CLI's directory is empty and can go.
    try { server.close(() => fs.rmdir(${JSON.stringify(dirname(parameters.controlPath))}, () => {})); } catch {}
    if (state.client) state.client.destroy();
    delete globalThis[key];
  };
  const server = net.createServer((client) => {
    if (state.client) { client.destroy(); return; }
    state.client = client;
    clearTimeout(state.timer);
    client.on('error', () => {});
    client.on('close', cleanup);
    client.resume();
    send();
  });
  server.on('error', cleanup);
  server.listen(${JSON.stringify(parameters.controlPath)});
  server.unref();
  state.timer = setTimeout(cleanup, ${parameters.connectTimeoutMs});
  state.timer.unref();
  globalThis[key] = { cleanup };
  setTimeout(() => {
    try { process._debugEnd(); } catch {}
    try {
      state.handle = startMonitor(${JSON.stringify(options)});
      const socketPath = state.handle.socketPath
        ?? path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), 'agent-lag-' + process.pid + '.sock');
      state.status = { type: 'started', socketPath };
    } catch (error) {
      state.status = { type: 'failed', message: String(error && error.message || error) };
    }
    send();
  }, 0);
  return { ok: true, pid: process.pid };
})()`;
}
