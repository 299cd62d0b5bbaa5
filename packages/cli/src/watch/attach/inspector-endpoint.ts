import { request } from 'node:http';
import { connect } from 'node:net';

/** The port Node's inspector binds for a process: 9229 unless the process was told otherwise. */
export const DEFAULT_INSPECTOR_PORT = 9229;

export interface InspectorTarget {
  id: string;
  type: string;
  title: string;
  webSocketDebuggerUrl?: string;
}

/**
 * Reads the process's arguments (argv and NODE_OPTIONS) for inspector flags: the port SIGUSR1 would
 * open, and whether the inspector was already switched on at launch (`--inspect`, `--inspect-brk`…).
 */
export function inspectorFlags(args: readonly string[]): { port: number; enabledAtLaunch: boolean } {
  let port = DEFAULT_INSPECTOR_PORT;
  let enabledAtLaunch = false;
  for (const arg of args) {
    const portOnly = /^--(?:inspect-port|debug-port)=(?:[^:]*:)?(\d+)$/.exec(arg);
    if (portOnly?.[1]) {
      port = Number(portOnly[1]);
      continue;
    }
    const enabling = /^--inspect(?:-brk|-wait)?(?:=(?:(?:[^:]*):)?(\d+))?$/.exec(arg);
    if (enabling) {
      enabledAtLaunch = true;
      if (enabling[1]) port = Number(enabling[1]);
    }
  }
  return { port, enabledAtLaunch };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The longest /json/list body read. */
export const MAX_LIST_CHARS = 1024 * 1024;

/** GET /json/list on the loopback inspector port; null when nothing (or not an inspector) answers. */
export function listInspectorTargets(port: number, timeoutMs = 1000): Promise<InspectorTarget[] | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/json/list', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // An inspector lists its one target in under a KB: a body past the cap is not an inspector.
        if (body.length > MAX_LIST_CHARS) {
          res.destroy();
          resolve(null);
        }
      });
      res.on('end', () => {
        try {
          const parsed: unknown = JSON.parse(body);
          resolve(Array.isArray(parsed) ? (parsed as InspectorTarget[]) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Polls until the inspector answers on `port` with a target that has a WebSocket URL. */
export async function waitForInspector(port: number, timeoutMs: number): Promise<InspectorTarget | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const targets = await listInspectorTargets(port, 500);
    const target = targets?.find((t) => t.webSocketDebuggerUrl);
    if (target) return target;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

/** Polls until nothing accepts connections on `port` any more. */
export async function waitForPortClosed(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isPortOpen(port, 300))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
