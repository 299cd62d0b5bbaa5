import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/env.js';
import { resolveOptions } from '../src/options.js';

describe('startMonitor options', () => {
  it('fills defaults', () => {
    const options = resolveOptions({}, true);
    expect(options).toMatchObject({ thresholdMs: 100, socket: true, captureStacks: true, lagSource: 'perf_hooks', heartbeatIntervalMs: 100 });
  });

  it.each([
    [{ thresholdMs: 0 }, /option thresholdMs must be a number from 1/],
    [{ thresholdMs: '100' }, /option thresholdMs .* got "100"/],
    [{ reportPath: '' }, /option reportPath must be a non-empty path/],
    [{ metricsEndpoint: { port: 70_000 } }, /option metricsEndpoint.port/],
    [{ lagSource: 'cpu' }, /option lagSource/],
    [{ socket: 'yes' }, /option socket must be true or false/],
    [{ thresholdMs: 10, heartbeatIntervalMs: 20 }, /option heartbeatIntervalMs \(20\) must not exceed thresholdMs/],
    [{ treshold: 5 }, /unknown option treshold/],
  ])('rejects %j with a TypeError naming the option', (input, message) => {
    expect(() => resolveOptions(input, true)).toThrow(TypeError);
    expect(() => resolveOptions(input, true)).toThrow(message);
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
});
