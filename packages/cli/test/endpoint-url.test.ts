import { describe, expect, it } from 'vitest';
import { parseEndpointUrl } from '../src/watch/endpoint-connection.js';

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
