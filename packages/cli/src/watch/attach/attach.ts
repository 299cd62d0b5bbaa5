import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { NdjsonSplitter } from '../../shared/ndjson.js';
import { assertProcessExists, isNodeProcess, nodeArgumentsOf } from '../process-info.js';
import { isSocket } from '../resolve-target.js';
import { InspectorClient } from './inspector-client.js';
import { inspectorFlags, isPortOpen, waitForInspector, waitForPortClosed } from './inspector-endpoint.js';
import { injectExpression } from './inject-snippet.js';
import { removeStaleDirs } from '../../scratch/stale-dirs.js';

export interface AttachedMonitor {
  pid: number;
  /** The injected monitor's control socket, to watch like any monitored process. */
  socketPath: string;
  /** Stops the injected monitor and waits until its socket is gone. */
  detach(): Promise<void>;
}

export interface AttachOptions {
  thresholdMs: number | undefined;
  /** How long to wait for the target's inspector to open (it opens only when its loop turns). */
  inspectorTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Injects the monitor into a Node process started without it, through the inspector that SIGUSR1
 * (process._debugProcess) opens on loopback, and closes that inspector again before returning.
 * Refuses a process whose inspector is already open: that one belongs to someone else.
 */
export async function attachMonitor(pid: number, options: AttachOptions): Promise<AttachedMonitor> {
  const log = options.log ?? (() => undefined);
  if (pid === process.pid) throw new UsageError('cannot attach to agent-lag itself');
  assertProcessExists(pid);
  if (!isNodeProcess(pid)) throw new UsageError(`pid ${pid} is not a Node.js process`);
  const flags = inspectorFlags(nodeArgumentsOf(pid));
  if (flags.enabledAtLaunch) {
    throw new UsageError(`pid ${pid} was started with --inspect: its inspector belongs to someone else; not attaching`);
  }
  if (await isPortOpen(flags.port)) {
    throw new UsageError(
      `127.0.0.1:${flags.port} is already open (a debugger or another inspector is in use); not attaching to pid ${pid}`,
    );
  }

  // Those of `watch --attach` runs of ours killed before the target could remove them.
  await removeStaleDirs(ATTACH_DIR_PREFIX);
  // Named with our pid, so a run after a killed one knows it is stale (the target also removes it
  // when our connection drops, however we end).
  const controlDir = await mkdtemp(join(tmpdir(), `${ATTACH_DIR_PREFIX}${process.pid}-`));
  const controlPath = join(controlDir, 'control.sock');
  let inspector: InspectorClient | undefined;
  try {
    log(`activating the inspector of pid ${pid} on 127.0.0.1:${flags.port}`);
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(pid);
    const target = await waitForInspector(flags.port, options.inspectorTimeoutMs ?? 15_000);
    if (!target?.webSocketDebuggerUrl) {
      throw new UsageError(`the inspector of pid ${pid} did not open (is its event loop stuck in a native call?)`);
    }
    inspector = await InspectorClient.connect(target.webSocketDebuggerUrl);
    const reportedPid = await inspector.evaluate<number>('process.pid');
    if (reportedPid !== pid) {
      // Someone else's inspector won the port between our check and now: leave it alone.
      inspector.close();
      inspector = undefined;
      throw new UsageError(`the inspector on 127.0.0.1:${flags.port} belongs to pid ${reportedPid}, not ${pid}; not attaching`);
    }
    const monitorPath = fileURLToPath(import.meta.resolve('@agent-lag/runtime-monitor'));
    const injected = await inspector.evaluate<{ ok: boolean; message?: string }>(
      injectExpression({ monitorPath, controlPath, thresholdMs: options.thresholdMs, connectTimeoutMs: 15_000 }),
    );
    if (!injected.ok) throw new UsageError(`cannot attach to pid ${pid}: ${injected.message ?? 'refused'}`);
    // The injected code closes the inspector itself (process._debugEnd) before starting the monitor.
    await closedOrTimeout(inspector, 5_000);
    inspector = undefined;
    if (!(await waitForPortClosed(flags.port, 5_000))) {
      log(`warning: 127.0.0.1:${flags.port} is still open after injection`);
    }
    const control = await openControl(controlPath);
    // The monitor's worker creates its socket a moment after startMonitor returns.
    await waitUntil(() => isSocket(control.socketPath), 5_000);
    log(`monitor injected into pid ${pid}; inspector closed again`);
    return {
      pid,
      socketPath: control.socketPath,
      detach: async () => {
        control.close();
        await waitUntil(async () => !(await isSocket(control.socketPath)), 5_000);
        await rm(controlDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (inspector) await closeInspector(inspector);
    await rm(controlDir, { recursive: true, force: true });
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot attach to pid ${pid}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const ATTACH_DIR_PREFIX = 'agent-lag-attach-';


/** Asks the target to close its inspector (from a timer, the way that works) and waits for it. */
async function closeInspector(inspector: InspectorClient): Promise<void> {
  try {
    await inspector.evaluate('setTimeout(() => process._debugEnd(), 0), true');
  } catch {
    // the connection may already be gone
  }
  await closedOrTimeout(inspector, 3_000);
  inspector.close();
}

async function closedOrTimeout(inspector: InspectorClient, timeoutMs: number): Promise<void> {
  await waitUntil(() => Promise.resolve(inspector.isClosed), timeoutMs);
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Connects to the injected control socket and waits for the monitor's start (or its failure). */
function openControl(controlPath: string): Promise<{ socketPath: string; close(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: controlPath });
    const splitter = new NdjsonSplitter();
    const timer = setTimeout(() => fail('the injected monitor did not report its start'), 10_000);
    const fail = (message: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new UsageError(message));
    };
    socket.setEncoding('utf8');
    socket.on('error', (error) => fail(`lost the injected monitor's control socket: ${error.message}`));
    socket.on('close', () => fail('the injected monitor closed its control socket'));
    socket.on('data', (chunk: string) => {
      for (const message of splitter.push(chunk)) {
        if (message['type'] === 'started' && typeof message['socketPath'] === 'string') {
          clearTimeout(timer);
          socket.removeAllListeners('close');
          socket.removeAllListeners('error');
          socket.on('error', () => undefined);
          const socketPath = message['socketPath'];
          resolve({ socketPath, close: () => socket.destroy() });
        } else if (message['type'] === 'failed') {
          fail(`the monitor did not start in the target: ${String(message['message'])}`);
        }
      }
    });
  });
}
