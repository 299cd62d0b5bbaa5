import { nodeOptionsWithPreload } from './node-options.js';

/** What `agent-lag run` asks of the monitor it preloads. */
export interface MonitorRequest {
  /** Absolute path the monitor writes its NDJSON event log to. */
  reportPath: string;
  thresholdMs: number | undefined;
  /** Stalls this long after the monitor starts count as start-up (module loading), not as blocks. */
  startupGraceMs?: number | undefined;
  /** Report each agent run or HTTP request still in flight past this age (an `sla` event). */
  inFlightSlaMs?: number | undefined;
}

/** The monitor's preload entry, resolved from the CLI itself so the app needs no dependency on it. */
export function registerModuleUrl(): string {
  return import.meta.resolve('@agent-lag/runtime-monitor/register');
}

/**
 * The child's environment: NODE_OPTIONS carries the preload to every Node process the command starts
 * (`npm start` → sh → node, `npx tsx` → node), and AGENT_LAG_* configure it.
 */
export function monitoredEnv(base: NodeJS.ProcessEnv, request: MonitorRequest, registerUrl = registerModuleUrl()): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  env['NODE_OPTIONS'] = nodeOptionsWithPreload(base['NODE_OPTIONS'], registerUrl);
  env['AGENT_LAG_REPORT'] = request.reportPath;
  if (request.thresholdMs !== undefined) env['AGENT_LAG_THRESHOLD_MS'] = String(request.thresholdMs);
  if (request.startupGraceMs !== undefined) env['AGENT_LAG_STARTUP_GRACE_MS'] = String(request.startupGraceMs);
  if (request.inFlightSlaMs !== undefined) env['AGENT_LAG_IN_FLIGHT_SLA_MS'] = String(request.inFlightSlaMs);
  return env;
}
