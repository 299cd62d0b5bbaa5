import { describe, expect, it } from 'vitest';
import { firstSegmentRoute } from '../src/middleware/route-name.js';

/* The plain http adapter's default route label: the first path segment when it reads as a word, never an id. */

describe('firstSegmentRoute', () => {
  it.each([
    ['/', '/'],
    ['/users', '/users'],
    ['/users?page=2', '/users'],
    ['/users#top', '/users'],
    ['/users/42', '/users/*'],
    ['/users/42/orders', '/users/*'],
    ['/Users/', '/Users/*'],
    ['/a', '/a'],
    ['/tool-calls/9', '/tool-calls/*'],
    ['/agent_runs/9', '/agent_runs/*'],
  ])('labels %s as %s', (url, label) => {
    expect(firstSegmentRoute(url)).toBe(label);
  });

  it.each([
    ['an id', '/123/x'],
    ['a hash', '/9f2c61e0a4b3d7c1'],
    ['a uuid', '/0b7c9e52-3f7d-4c55-9d0e-2a1f6e3b8c44'],
    ['a leading dash', '/-users'],
    ['a trailing underscore', '/users_/1'],
    ['a dot', '/index.html'],
    ['a segment over 32 characters', `/${'a'.repeat(33)}`],
    ['no leading slash', 'users'],
    ['an empty URL', ''],
    ['no URL', undefined],
  ])('labels %s as unmatched', (_what, url) => {
    expect(firstSegmentRoute(url)).toBe('unmatched');
  });

  it('gives the same label string for every URL under one prefix', () => {
    expect(firstSegmentRoute('/items/1')).toBe(firstSegmentRoute('/items/2'));
  });
});
