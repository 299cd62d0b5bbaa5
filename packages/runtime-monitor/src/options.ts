import { compilePatterns, type RedactPolicy } from './redact/index.js';

/*
 * startMonitor's options: what a user may pass, their defaults, and validation with errors that name the
 * option. The resolved form is plain data so it can be handed to the watchdog worker as is.
 */

export interface MetricsEndpointOptions {
  port: number;
  /** Default 127.0.0.1: metrics stay on the host unless asked otherwise. */
  host?: string;
  /**
   * `/healthz` answers 503 while the event loop has been stalled for longer than this, ms (a liveness
   * probe's signal: the worker answers while the loop is frozen). 0 or absent: off, always 200. At least
   * thresholdMs: shorter stalls are not watched as stalls at all.
   */
  unhealthyAfterMs?: number;
}

/** What is redacted before anything leaves the process (hints of sync calls, stacks, contexts, labels). */
export interface RedactOptions {
  /** false: events carry no `inFlight.hint` at all (the API is still named). Default true (redacted). */
  hints?: boolean;
  /** Extra patterns whose matches become `[redacted]`, after the built-in rules; strings are regular expression sources. */
  patterns?: (RegExp | string)[];
}

export interface MonitorOptions {
  /** A gap of the event loop longer than this is a block. Default 100. */
  thresholdMs?: number;
  /** Path of the NDJSON event log, appended to from the watchdog worker. Default: no log. */
  reportPath?: string | null;
  /** Serve the control socket (`agent-lag watch <pid>`). Default true. */
  socket?: boolean;
  /** Serve Prometheus metrics and health over HTTP from the worker. Default: off. */
  metricsEndpoint?: MetricsEndpointOptions | null;
  /** Blocks that begin within this many ms of start are counted as start-up, not reported. Default 0. */
  startupGraceMs?: number;
  /** Capture the main thread's stack through the inspector. Default true. */
  captureStacks?: boolean;
  /** Wrap the blocking built-ins to name the sync API in flight and keep per-call-site stats. Default false. */
  syncWrappers?: boolean;
  /** Sync calls at least this long have their call site located. Default 10. */
  slowSyncCallMs?: number;
  /** Where lag figures come from. `auto` uses perf_hooks when present. Default `auto`. */
  lagSource?: 'auto' | 'perf_hooks' | 'timer-drift';
  /** Sampling resolution of the lag histogram, ms (at least 1; subtracted from every sample). Default: heartbeatIntervalMs. */
  lagResolutionMs?: number;
  /** Length of each `{"type":"lag"}` window in the event log, ms. Default 10000. */
  lagWindowMs?: number;
  /** How often the main thread stores its heartbeat, ms (at most thresholdMs). Default thresholdMs, between 1 and 1000. */
  heartbeatIntervalMs?: number;
  /**
   * `auto`: where the watchdog can see an idle event loop from outside (Linux /proc), the main thread
   * beats only while its loop works, and an idle process wakes once a second instead of once per
   * heartbeat period. `timer`: it always beats every heartbeat period. Default `auto`.
   */
  heartbeat?: 'auto' | 'timer';
  /** Detailed block reports (stack captures) per minute at most; counts are never limited. Default 30. */
  reportsPerMinute?: number;
  /** The same stack is reported in detail at most once per this many ms. Default 60000. */
  dedupeWindowMs?: number;
  /** Stacks sampled per long block, one per threshold while it lasts. Default 10. */
  maxSamples?: number;
  /** Period of the libuv thread-pool probe, ms; 0 turns it off. Default 1000. */
  threadPoolProbeMs?: number;
  /**
   * A block still running after this many ms gets one provisional `{"type":"block","ongoing":true}` event
   * in the event log and on the control socket, written by the watchdog while the loop is still frozen
   * (so a wedge that never ends is seen). At least thresholdMs; 0 turns it off. Default 5000 (or
   * thresholdMs when that is larger).
   */
  ongoingReportMs?: number;
  /**
   * An agent run or HTTP request (trackRun, the SDK adapters, the HTTP middleware) still in flight after
   * this many ms gets one `{"type":"sla"}` event in the event log and on the control socket, and counts in
   * `agent_lag_sla_breaches_total{kind}`: the agent loop held open past a load balancer's timeout. 0 (the
   * default) turns it off.
   */
  inFlightSlaMs?: number;
  /** Redaction of secrets (always on; this turns hints off or adds patterns). */
  redact?: RedactOptions;
}

export interface ResolvedOptions {
  thresholdMs: number;
  reportPath: string | null;
  socket: boolean;
  /** Shaped like startHttpEndpoint's options; unhealthyAfterMs 0 when off. */
  metricsEndpoint: { port: number; host: string; unhealthyAfterMs: number } | null;
  startupGraceMs: number;
  captureStacks: boolean;
  syncWrappers: boolean;
  slowSyncCallMs: number;
  lagSource: 'perf_hooks' | 'timer-drift';
  lagResolutionMs: number;
  lagWindowMs: number;
  heartbeatIntervalMs: number;
  heartbeat: 'auto' | 'timer';
  reportsPerMinute: number;
  dedupeWindowMs: number;
  maxSamples: number;
  threadPoolProbeMs: number;
  /** 0 when off, else at least thresholdMs. */
  ongoingReportMs: number;
  /** 0 when off. */
  inFlightSlaMs: number;
  /** Patterns as `{ source, flags }`: plain data for the worker. */
  redact: RedactPolicy;
}

const KNOWN = new Set([
  'thresholdMs',
  'reportPath',
  'socket',
  'metricsEndpoint',
  'startupGraceMs',
  'captureStacks',
  'syncWrappers',
  'slowSyncCallMs',
  'lagSource',
  'lagResolutionMs',
  'lagWindowMs',
  'heartbeatIntervalMs',
  'heartbeat',
  'reportsPerMinute',
  'dedupeWindowMs',
  'maxSamples',
  'threadPoolProbeMs',
  'ongoingReportMs',
  'inFlightSlaMs',
  'redact',
]);

function numberOption(options: MonitorOptions, name: keyof MonitorOptions, fallback: number, min: number, max: number): number {
  const value: unknown = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`agent-lag: option ${name} must be a number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function booleanOption(options: MonitorOptions, name: keyof MonitorOptions, fallback: boolean): boolean {
  const value: unknown = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`agent-lag: option ${name} must be true or false, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** True when `monitorEventLoopDelay` exists in this runtime (it does in Node; not in every lookalike). */
export function perfHooksLagAvailable(perfHooks: { monitorEventLoopDelay?: unknown }): boolean {
  return typeof perfHooks.monitorEventLoopDelay === 'function';
}

function redactOption(value: unknown): RedactPolicy {
  if (value === undefined || value === null) return { hints: true, patterns: [] };
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof RegExp) {
    throw new TypeError(`agent-lag: option redact must be { hints?, patterns? }, got ${describe(value)}`);
  }
  const { hints, patterns, ...rest } = value as { hints?: unknown; patterns?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new TypeError(`agent-lag: unknown option redact.${unknown}`);
  if (hints !== undefined && typeof hints !== 'boolean') {
    throw new TypeError(`agent-lag: option redact.hints must be true or false, got ${describe(hints)}`);
  }
  if (patterns !== undefined && !Array.isArray(patterns)) {
    throw new TypeError(`agent-lag: option redact.patterns must be an array of RegExp or strings, got ${describe(patterns)}`);
  }
  const list = (patterns ?? []) as unknown[];
  list.forEach((pattern, index) => {
    if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) {
      throw new TypeError(`agent-lag: option redact.patterns[${index}] must be a RegExp or a string, got ${describe(pattern)}`);
    }
  });
  // Throws a TypeError naming a pattern that does not compile or matches the empty string.
  const compiled = compilePatterns(list as (RegExp | string)[]);
  return { hints: hints ?? true, patterns: compiled.map((pattern) => ({ source: pattern.source, flags: pattern.flags })) };
}

export function resolveOptions(input: unknown, hasPerfHooksLag: boolean): ResolvedOptions {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`agent-lag: startMonitor options must be an object, got ${describe(input)}`);
  }
  const options = input as MonitorOptions;
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`agent-lag: unknown option ${key}`);
  }
  const thresholdMs = numberOption(options, 'thresholdMs', 100, 1, 600_000);

  let reportPath: string | null = null;
  if (options.reportPath !== undefined && options.reportPath !== null) {
    if (typeof options.reportPath !== 'string' || options.reportPath === '') {
      throw new TypeError(`agent-lag: option reportPath must be a non-empty path, got ${describe(options.reportPath)}`);
    }
    reportPath = options.reportPath;
  }

  let metricsEndpoint: ResolvedOptions['metricsEndpoint'] = null;
  const endpoint: unknown = options.metricsEndpoint;
  if (endpoint !== undefined && endpoint !== null) {
    if (typeof endpoint !== 'object' || Array.isArray(endpoint)) {
      throw new TypeError(`agent-lag: option metricsEndpoint must be { port, host?, unhealthyAfterMs? }, got ${describe(endpoint)}`);
    }
    const { port, host, unhealthyAfterMs } = endpoint as { port?: unknown; host?: unknown; unhealthyAfterMs?: unknown };
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new TypeError(`agent-lag: option metricsEndpoint.port must be an integer from 0 to 65535, got ${describe(port)}`);
    }
    if (host !== undefined && (typeof host !== 'string' || host === '')) {
      throw new TypeError(`agent-lag: option metricsEndpoint.host must be a host name or address, got ${describe(host)}`);
    }
    // Below the threshold the worker sees no stall to report, so such a value would silently mean "any stall".
    if (
      unhealthyAfterMs !== undefined &&
      (typeof unhealthyAfterMs !== 'number' ||
        !Number.isFinite(unhealthyAfterMs) ||
        unhealthyAfterMs > 3_600_000 ||
        (unhealthyAfterMs !== 0 && unhealthyAfterMs < thresholdMs))
    ) {
      throw new TypeError(
        `agent-lag: option metricsEndpoint.unhealthyAfterMs must be 0 (off) or a number of ms from thresholdMs (${thresholdMs}) to 3600000, got ${describe(unhealthyAfterMs)}`,
      );
    }
    metricsEndpoint = { port, host: host ?? '127.0.0.1', unhealthyAfterMs: unhealthyAfterMs ?? 0 };
  }

  const lagSourceInput: unknown = options.lagSource ?? 'auto';
  if (lagSourceInput !== 'auto' && lagSourceInput !== 'perf_hooks' && lagSourceInput !== 'timer-drift') {
    throw new TypeError(`agent-lag: option lagSource must be "auto", "perf_hooks" or "timer-drift", got ${describe(lagSourceInput)}`);
  }
  if (lagSourceInput === 'perf_hooks' && !hasPerfHooksLag) {
    throw new TypeError('agent-lag: option lagSource is "perf_hooks" but perf_hooks.monitorEventLoopDelay is not available here');
  }
  const lagSource = lagSourceInput === 'auto' ? (hasPerfHooksLag ? 'perf_hooks' : 'timer-drift') : lagSourceInput;

  // Each beat is a wake-up of an idle process (~0.14 ms of CPU on a shared 2-vCPU VM): one per threshold
  // (10 a second at 100 ms) rather than two. A gap a little over the threshold between idle beats is not
  // a stall: the heartbeat subtracts the loop's idle time, so only busy time counts.
  const defaultHeartbeat = Math.min(1000, Math.max(1, Math.floor(thresholdMs)));
  const heartbeatIntervalMs = numberOption(options, 'heartbeatIntervalMs', defaultHeartbeat, 1, 1000);
  if (heartbeatIntervalMs > thresholdMs) {
    throw new TypeError(`agent-lag: option heartbeatIntervalMs (${heartbeatIntervalMs}) must not exceed thresholdMs (${thresholdMs})`);
  }

  const heartbeat: unknown = options.heartbeat ?? 'auto';
  if (heartbeat !== 'auto' && heartbeat !== 'timer') {
    throw new TypeError(`agent-lag: option heartbeat must be "auto" or "timer", got ${describe(heartbeat)}`);
  }

  // An explicit value below the threshold is a mistake; the default follows a threshold above 5 s.
  const ongoingReportMs = numberOption(options, 'ongoingReportMs', Math.max(5000, thresholdMs), 0, 3_600_000);
  if (ongoingReportMs !== 0 && ongoingReportMs < thresholdMs) {
    throw new TypeError(`agent-lag: option ongoingReportMs (${ongoingReportMs}) must be 0 (off) or at least thresholdMs (${thresholdMs})`);
  }

  return {
    thresholdMs,
    reportPath,
    socket: booleanOption(options, 'socket', true),
    metricsEndpoint,
    startupGraceMs: numberOption(options, 'startupGraceMs', 0, 0, 3_600_000),
    captureStacks: booleanOption(options, 'captureStacks', true),
    syncWrappers: booleanOption(options, 'syncWrappers', false),
    slowSyncCallMs: numberOption(options, 'slowSyncCallMs', 10, 0, 600_000),
    lagSource,
    // Default: the heartbeat period. perf_hooks' timer then expires in the same loop iteration as the
    // heartbeat (both are started in the same tick and re-armed from the same loop time), so sampling
    // adds no wake-up of its own. The resolution is subtracted from every sample: coarser sampling means
    // fewer samples, not biased ones.
    lagResolutionMs: Math.round(numberOption(options, 'lagResolutionMs', Math.round(heartbeatIntervalMs), 1, 10_000)),
    lagWindowMs: numberOption(options, 'lagWindowMs', 10_000, 100, 3_600_000),
    heartbeatIntervalMs: Math.round(heartbeatIntervalMs),
    heartbeat,
    reportsPerMinute: numberOption(options, 'reportsPerMinute', 30, 0, 100_000),
    dedupeWindowMs: numberOption(options, 'dedupeWindowMs', 60_000, 0, 86_400_000),
    maxSamples: Math.round(numberOption(options, 'maxSamples', 10, 1, 100)),
    threadPoolProbeMs: numberOption(options, 'threadPoolProbeMs', 1000, 0, 3_600_000),
    ongoingReportMs: Math.round(ongoingReportMs),
    inFlightSlaMs: Math.round(numberOption(options, 'inFlightSlaMs', 0, 0, 86_400_000)),
    redact: redactOption(options.redact),
  };
}
