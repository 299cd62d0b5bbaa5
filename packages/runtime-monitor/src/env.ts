import { resolveOptions, type MonitorOptions } from './options.js';
import { compilePatterns } from './redact/index.js';

/*
 * The preload's configuration: AGENT_LAG_* environment variables mapped onto startMonitor's options.
 * A bad value is reported (one line, naming the variable) and its default used: a typo in an env var
 * must neither take a production service down nor leave it unmonitored. Each value is checked by
 * startMonitor's own rules (ranges, and the threshold it must agree with) as it is taken.
 */

export interface EnvOptions {
  /** AGENT_LAG_DISABLE=1 (or `off`): the preload does nothing. */
  disabled: boolean;
  /** AGENT_LAG_AGENT_HOOKS=0: the preload does not patch agent SDKs as the app loads them (default on). */
  agentHooks: boolean;
  options: MonitorOptions;
  problems: string[];
}

const ON = new Set(['1', 'on', 'true', 'yes']);
const OFF = new Set(['0', 'off', 'false', 'no']);

/** An on/off variable's value as the preload reads it: true, false, or null when unset, empty or neither. */
export function envFlag(raw: string | undefined): boolean | null {
  const value = raw?.trim().toLowerCase() ?? '';
  return ON.has(value) ? true : OFF.has(value) ? false : null;
}

/** Defaults that differ from startMonitor's: a preloaded monitor also sees the app's module loading. */
export const PRELOAD_DEFAULTS = { startupGraceMs: 1000, syncWrappers: true } as const;

export function optionsFromEnv(env: NodeJS.ProcessEnv): EnvOptions {
  const problems: string[] = [];
  const options: MonitorOptions = { ...PRELOAD_DEFAULTS };

  /** Applies one variable's value, and takes it back if startMonitor would refuse the options with it. */
  const take = (name: string, apply: () => void): void => {
    const before = { ...options, ...(options.metricsEndpoint ? { metricsEndpoint: { ...options.metricsEndpoint } } : {}) };
    apply();
    try {
      resolveOptions(options, true);
    } catch (error) {
      for (const key of Object.keys(options) as (keyof MonitorOptions)[]) delete options[key];
      Object.assign(options, before);
      problems.push(`${name}=${JSON.stringify(env[name])}: ${(error as Error).message.replace(/^agent-lag: /, '')}`);
    }
  };
  const number = (name: string, apply: (value: number) => void): void => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) problems.push(`${name}=${JSON.stringify(raw)} is not a non-negative number`);
    else take(name, () => apply(value));
  };
  const flag = (name: string, apply: (value: boolean) => void): void => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return;
    const value = envFlag(raw);
    if (value === null) problems.push(`${name}=${JSON.stringify(raw)} is not on/off`);
    else take(name, () => apply(value));
  };

  let disabled = false;
  flag('AGENT_LAG_DISABLE', (value) => (disabled = value));
  let agentHooks = true;
  flag('AGENT_LAG_AGENT_HOOKS', (value) => (agentHooks = value));
  number('AGENT_LAG_THRESHOLD_MS', (value) => (options.thresholdMs = value));
  const report = env.AGENT_LAG_REPORT;
  if (report !== undefined && report.trim() !== '') options.reportPath = report;
  flag('AGENT_LAG_SOCKET', (value) => (options.socket = value));
  number('AGENT_LAG_METRICS_PORT', (port) => (options.metricsEndpoint = { port, ...(env.AGENT_LAG_METRICS_HOST ? { host: env.AGENT_LAG_METRICS_HOST } : {}) }));
  number('AGENT_LAG_METRICS_UNHEALTHY_AFTER_MS', (ms) => {
    // Checked here: startMonitor would refuse a bad value, and the preload must still start.
    const thresholdMs = options.thresholdMs ?? 100;
    if (!options.metricsEndpoint) problems.push('AGENT_LAG_METRICS_UNHEALTHY_AFTER_MS needs AGENT_LAG_METRICS_PORT');
    else if ((ms !== 0 && ms < thresholdMs) || ms > 3_600_000) problems.push(`AGENT_LAG_METRICS_UNHEALTHY_AFTER_MS=${JSON.stringify(env.AGENT_LAG_METRICS_UNHEALTHY_AFTER_MS)} is neither 0 (off) nor from the threshold (${thresholdMs} ms) to 3600000`);
    else options.metricsEndpoint.unhealthyAfterMs = ms;
  });
  number('AGENT_LAG_STARTUP_GRACE_MS', (value) => (options.startupGraceMs = value));
  flag('AGENT_LAG_SYNC_WRAPPERS', (value) => (options.syncWrappers = value));
  flag('AGENT_LAG_STACKS', (value) => (options.captureStacks = value));
  number('AGENT_LAG_LAG_WINDOW_MS', (value) => (options.lagWindowMs = value));
  number('AGENT_LAG_REPORTS_PER_MINUTE', (value) => (options.reportsPerMinute = value));
  number('AGENT_LAG_THREADPOOL_PROBE_MS', (value) => (options.threadPoolProbeMs = value));
  number('AGENT_LAG_IN_FLIGHT_SLA_MS', (value) => (options.inFlightSlaMs = value));
  number('AGENT_LAG_ONGOING_REPORT_MS', (value) => {
    // Checked here against the threshold: startMonitor would refuse the pair, and the preload must still start.
    const thresholdMs = options.thresholdMs ?? 100;
    if (value !== 0 && value < thresholdMs) {
      problems.push(`AGENT_LAG_ONGOING_REPORT_MS=${JSON.stringify(env.AGENT_LAG_ONGOING_REPORT_MS)} is neither 0 (off) nor at least the threshold (${thresholdMs} ms)`);
    } else {
      options.ongoingReportMs = value;
    }
  });
  const source = env.AGENT_LAG_LAG_SOURCE;
  if (source !== undefined && source.trim() !== '') {
    if (source === 'auto' || source === 'perf_hooks' || source === 'timer-drift') options.lagSource = source;
    else problems.push(`AGENT_LAG_LAG_SOURCE=${JSON.stringify(source)} is not auto, perf_hooks or timer-drift`);
  }
  const heartbeat = env.AGENT_LAG_HEARTBEAT;
  if (heartbeat !== undefined && heartbeat.trim() !== '') {
    if (heartbeat === 'auto' || heartbeat === 'timer') options.heartbeat = heartbeat;
    else problems.push(`AGENT_LAG_HEARTBEAT=${JSON.stringify(heartbeat)} is not auto or timer`);
  }
  flag('AGENT_LAG_HINTS', (value) => {
    if (!value) options.redact = { ...options.redact, hints: false };
  });
  const patterns = env.AGENT_LAG_REDACT_PATTERNS;
  if (patterns !== undefined && patterns.trim() !== '') {
    const list = redactPatternsFromEnv(patterns);
    if (typeof list === 'string') problems.push(`AGENT_LAG_REDACT_PATTERNS=${JSON.stringify(patterns)} ${list}`);
    else options.redact = { ...options.redact, patterns: list };
  }
  return { disabled, agentHooks, options, problems };
}

/**
 * AGENT_LAG_REDACT_PATTERNS: a JSON array of regular expression sources (`["myco_[a-z0-9]{20,}"]`), or a
 * single source. Returns the list, or what is wrong with it (the preload then uses the built-in rules only).
 */
function redactPatternsFromEnv(raw: string): string[] | string {
  let list: unknown = raw;
  if (raw.trim().startsWith('[')) {
    try {
      list = JSON.parse(raw);
    } catch {
      return 'is not a JSON array of strings';
    }
  }
  const sources = Array.isArray(list) ? list : [list];
  if (!sources.every((source): source is string => typeof source === 'string')) return 'is not a JSON array of strings';
  try {
    compilePatterns(sources);
  } catch (error) {
    return `has a bad pattern: ${(error as Error).message.replace(/^agent-lag: /, '')}`;
  }
  return sources;
}
