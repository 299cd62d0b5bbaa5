import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RequestTracker } from '../src/middleware/tracker.js';
import type { BlockEvent } from '../src/types.js';

// asyncContext 'auto' turns AsyncLocalStorage on when a block that a request was in named no route.
// These cases feed the tracker block events as the monitor delivers them, at the times they happen.

function request(tracker: RequestTracker) {
  const incoming = new IncomingMessage(new Socket());
  return tracker.begin(incoming, new ServerResponse(incoming), 'GET', '/tools/:name', null, null);
}

function block(startedAt: number, durationMs: number, seen: 'stack' | 'wrapper' | 'nothing'): BlockEvent {
  return {
    type: 'block',
    startedAt,
    durationMs,
    stack: seen === 'stack' ? [{ functionName: 'grep', url: 'file:///app/tools.js', line: 3, column: 5 }] : [],
    inFlight: seen === 'wrapper' ? { api: 'child_process.execFileSync', hint: 'grep' } : null,
    context: null,
    late: false,
  };
}

describe('RequestTracker: when async context is wanted', () => {
  it('wants it after a block with no route while a request was in flight, seen by a stack or by a sync wrapper', () => {
    for (const seen of ['stack', 'wrapper'] as const) {
      const tracker = new RequestTracker();
      request(tracker);
      tracker.recordBlock(block(Date.now(), 300, seen));
      expect(tracker.asyncContextWanted).toBe(true);
    }
  });

  it('wants it when the request the block was in ended before the event arrived', () => {
    const tracker = new RequestTracker();
    const blockStart = Date.now();
    tracker.end(request(tracker));
    tracker.recordBlock(block(blockStart, 300, 'stack'));
    expect(tracker.asyncContextWanted).toBe(true);
  });

  it('does not want it for a block nobody looked at (no stack, no wrapped call)', () => {
    const tracker = new RequestTracker();
    request(tracker);
    tracker.recordBlock(block(Date.now(), 300, 'nothing'));
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('does not want it for a block no request was in, even reported after a later request ended', () => {
    const tracker = new RequestTracker();
    // Module loading blocked before the first request; its event arrives after that request ended.
    const startupBlock = block(Date.now() - 1000, 400, 'stack');
    tracker.end(request(tracker));
    tracker.recordBlock(startupBlock);
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('does not want it for a block whose context named a route', () => {
    const tracker = new RequestTracker();
    request(tracker);
    tracker.recordBlock({ ...block(Date.now(), 300, 'stack'), context: { 'http.route': '/tools/:name' } });
    expect(tracker.asyncContextWanted).toBe(false);
  });
});
