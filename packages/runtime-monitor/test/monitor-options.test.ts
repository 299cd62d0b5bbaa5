import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/env.js';
import { resolveOptions } from '../src/options.js';

describe('startMonitor options', () => {
  it('fills defaults', () => {
    const options = resolveOptions({}, true);
    expect(options).toMatchObject({ thresholdMs: 100, socket: true, captureStacks: true, lagSource: 'perf_hooks', heartbeatIntervalMs: 100, heartbeat: 'auto' });
  });

  it.each([
    [{ thresholdMs: 0 }, /option thresholdMs must be a number from 1/],
    [{ thresholdMs: '100' }, /option thresholdMs .* got "100"/],
    [{ reportPath: '' }, /option reportPath must be a non-empty path/],
    [{ metricsEndpoint: { port: 70_000 } }, /option metricsEndpoint.port/],
    [{ metricsEndpoint: { port: 0, unhealthyAfterMs: '500' } }, /option metricsEndpoint.unhealthyAfterMs .* got "500"/],
    [{ metricsEndpoint: { port: 0, unhealthyAfterMs: -1 } }, /option metricsEndpoint.unhealthyAfterMs must be 0 \(off\)/],
    [{ metricsEndpoint: { port: 0, unhealthyAfterMs: Number.POSITIVE_INFINITY } }, /option metricsEndpoint.unhealthyAfterMs/],
    [{ thresholdMs: 200, metricsEndpoint: { port: 0, unhealthyAfterMs: 150 } }, /option metricsEndpoint.unhealthyAfterMs must be 0 \(off\) or a number of ms from thresholdMs \(200\)/],
    [{ lagSource: 'cpu' }, /option lagSource/],
    [{ heartbeat: 'sometimes' }, /option heartbeat must be "auto" or "timer", got "sometimes"/],
    [{ socket: 'yes' }, /option socket must be true or false/],
    [{ thresholdMs: 10, heartbeatIntervalMs: 20 }, /option heartbeatIntervalMs \(20\) must not exceed thresholdMs/],
    [{ treshold: 5 }, /unknown option treshold/],
    [{ ongoingReportMs: -1 }, /option ongoingReportMs must be a number from 0/],
    [{ ongoingReportMs: '5000' }, /option ongoingReportMs .* got "5000"/],
    [{ ongoingReportMs: Number.NaN }, /option ongoingReportMs must be a number/],
    [{ ongoingReportMs: 50 }, /option ongoingReportMs \(50\) must be 0 \(off\) or at least thresholdMs \(100\)/],
    [{ thresholdMs: 500, ongoingReportMs: 499 }, /option ongoingReportMs \(499\) must be 0 \(off\) or at least thresholdMs \(500\)/],
  ])('rejects %j with a TypeError naming the option', (input, message) => {
    expect(() => resolveOptions(input, true)).toThrow(TypeError);
    expect(() => resolveOptions(input, true)).toThrow(message);
  });

  it('reports blocks still running after ongoingReportMs: 5 s by default, never before the threshold, 0 for off', () => {
    expect(resolveOptions({}, true).ongoingReportMs).toBe(5000);
    expect(resolveOptions({ ongoingReportMs: 0 }, true).ongoingReportMs).toBe(0);
    expect(resolveOptions({ ongoingReportMs: 100 }, true).ongoingReportMs).toBe(100);
    expect(resolveOptions({ thresholdMs: 50, ongoingReportMs: 1000 }, true).ongoingReportMs).toBe(1000);
    // A threshold above 5 s moves the default up rather than making the defaults invalid.
    expect(resolveOptions({ thresholdMs: 8000 }, true).ongoingReportMs).toBe(8000);
  });

  it('resolves metricsEndpoint to the fields startHttpEndpoint takes, /healthz 503s off unless unhealthyAfterMs is set', () => {
    expect(resolveOptions({ metricsEndpoint: { port: 9464 } }, true).metricsEndpoint).toEqual({ port: 9464, host: '127.0.0.1', unhealthyAfterMs: 0 });
    expect(resolveOptions({ metricsEndpoint: { port: 0, host: '0.0.0.0', unhealthyAfterMs: 500 } }, true).metricsEndpoint).toEqual({
      port: 0,
      host: '0.0.0.0',
      unhealthyAfterMs: 500,
    });
    expect(resolveOptions({ metricsEndpoint: { port: 0, unhealthyAfterMs: 0 } }, true).metricsEndpoint?.unhealthyAfterMs).toBe(0);
  });

  it('uses the timer-drift sampler where perf_hooks lag is missing, and refuses to pretend otherwise', () => {
    expect(resolveOptions({}, false).lagSource).toBe('timer-drift');
    expect(() => resolveOptions({ lagSource: 'perf_hooks' }, false)).toThrow(/not available/);
  });
});

describe('AGENT_LAG_* variables', () => {
  it('maps variables onto options with preload defaults', () => {
    const { options, problems, disabled } = optionsFromEnv({
      AGENT_LAG_THRESHOLD_MS: '50',
      AGENT_LAG_REPORT: '/tmp/x.ndjson',
      AGENT_LAG_SOCKET: 'off',
      AGENT_LAG_METRICS_PORT: '9464',
      AGENT_LAG_SYNC_WRAPPERS: 'off',
    });
    expect(problems).toEqual([]);
    expect(disabled).toBe(false);
    expect(options).toMatchObject({ thresholdMs: 50, reportPath: '/tmp/x.ndjson', socket: false, metricsEndpoint: { port: 9464 }, syncWrappers: false, startupGraceMs: 1000 });
  });

  it('collects bad values as problems instead of throwing', () => {
    const { problems } = optionsFromEnv({ AGENT_LAG_THRESHOLD_MS: '-1', AGENT_LAG_SOCKET: 'maybe' });
    expect(problems).toHaveLength(2);
  });

  it("drops a value out of startMonitor's range with a problem naming the variable, and keeps the others: the preload still starts", () => {
    const { options, problems } = optionsFromEnv({
      AGENT_LAG_THRESHOLD_MS: '50',
      AGENT_LAG_METRICS_PORT: '99999',
      AGENT_LAG_STARTUP_GRACE_MS: '1e12',
      AGENT_LAG_LAG_WINDOW_MS: '5',
      AGENT_LAG_IN_FLIGHT_SLA_MS: '30000',
    });
    expect(problems).toEqual([
      'AGENT_LAG_METRICS_PORT="99999": option metricsEndpoint.port must be an integer from 0 to 65535, got 99999',
      'AGENT_LAG_STARTUP_GRACE_MS="1e12": option startupGraceMs must be a number from 0 to 3600000, got 1000000000000',
      'AGENT_LAG_LAG_WINDOW_MS="5": option lagWindowMs must be a number from 100 to 3600000, got 5',
    ]);
    expect(options).toEqual({ thresholdMs: 50, startupGraceMs: 1000, syncWrappers: true, inFlightSlaMs: 30_000 });
    expect(() => resolveOptions(options, true)).not.toThrow();
  });

  it('maps AGENT_LAG_HEARTBEAT, and drops an unknown value with a problem', () => {
    expect(optionsFromEnv({ AGENT_LAG_HEARTBEAT: 'timer' })).toMatchObject({ options: { heartbeat: 'timer' }, problems: [] });
    expect(optionsFromEnv({ AGENT_LAG_HEARTBEAT: 'never' }).problems).toEqual(['AGENT_LAG_HEARTBEAT="never" is not auto or timer']);
  });

  it('maps AGENT_LAG_ONGOING_REPORT_MS, and drops a value below the threshold with a problem (the preload still starts)', () => {
    expect(optionsFromEnv({ AGENT_LAG_ONGOING_REPORT_MS: '2000' })).toMatchObject({ options: { ongoingReportMs: 2000 }, problems: [] });
    expect(optionsFromEnv({ AGENT_LAG_ONGOING_REPORT_MS: '0' })).toMatchObject({ options: { ongoingReportMs: 0 }, problems: [] });
    const below = optionsFromEnv({ AGENT_LAG_THRESHOLD_MS: '200', AGENT_LAG_ONGOING_REPORT_MS: '150' });
    expect(below.options.ongoingReportMs).toBeUndefined();
    expect(below.problems).toEqual([expect.stringMatching(/AGENT_LAG_ONGOING_REPORT_MS="150" .*at least the threshold \(200 ms\)/)]);
    expect(() => resolveOptions(below.options, true)).not.toThrow();
    expect(optionsFromEnv({ AGENT_LAG_ONGOING_REPORT_MS: 'soon' }).problems).toEqual([expect.stringMatching(/AGENT_LAG_ONGOING_REPORT_MS="soon" is not a non-negative number/)]);
  });
});
