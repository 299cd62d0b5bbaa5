import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { parseEndpointUrl } from '../src/watch/endpoint-connection.js';
import { renderScreen } from '../src/watch/screen.js';
import { WatchState } from '../src/watch/watch-state.js';

describe('parseEndpointUrl: what `watch <url>` reads from its argument', () => {
  it.each([
    ['http://127.0.0.1:9464', 'http://127.0.0.1:9464', '', undefined],
    ['http://127.0.0.1:9464/', 'http://127.0.0.1:9464', '', undefined],
    ['http://127.0.0.1:9464/metrics', 'http://127.0.0.1:9464', '', undefined],
    ['HTTP://localhost:9464/healthz?x=1#y', 'http://localhost:9464', '', undefined],
    ['https://agents.internal/agent-lag/metrics/', 'https://agents.internal/agent-lag', '/agent-lag', undefined],
    ['http://ops:p%40ss@[::1]:9464/snapshot', 'http://[::1]:9464', '', 'ops:p@ss'],
  ])('%s → %s', (argument, display, prefix, auth) => {
    expect(parseEndpointUrl(argument)).toMatchObject({ display, prefix, auth });
  });

  it('leaves pids and paths to the other readers, and names a bad URL without its credentials', () => {
    expect(parseEndpointUrl('4242')).toBeNull();
    expect(parseEndpointUrl('/run/user/1000/agent-lag-4242.sock')).toBeNull();
    expect(() => parseEndpointUrl('http://ops:secret@bad host:9464')).toThrow(/^not a valid URL: http:\/\/bad host:9464$/);
  });
});

describe("watch's view of a process read through its metrics endpoint", () => {
  it('says, once its stream closed, that the process exited or the endpoint went out of reach (a socket: that it exited)', () => {
    const state = new WatchState();
    const hello = { type: 'hello', version: '0.1.0', thresholdMs: 100, mode: 'full' } as const;
    state.addProcess({ ...hello, pid: 1 }, 'http://127.0.0.1:9464', true);
    state.addProcess({ ...hello, pid: 4711 }, '/tmp/agent-lag-4711.sock');
    state.markDisconnected(1);
    state.markDisconnected(4711);
    const screen = renderScreen(state, { columns: 160, rows: 40 }, new Chalk({ level: 0 }), Date.UTC(2026, 11, 7)).join('\n');
    expect(screen).toMatch(/^pid 1 {2}full {2}threshold 100 ms {2}\(disconnected: the process exited, or its endpoint went out of reach\)$/m);
    expect(screen).toMatch(/^pid 4711 {2}full {2}threshold 100 ms {2}\(disconnected: the process exited\)$/m);
  });
});
