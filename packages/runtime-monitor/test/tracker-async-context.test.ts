import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runInSyncContext, withContext } from '../src/context/index.js';
import { RequestTracker, routeTemplate } from '../src/middleware/tracker.js';
import type { BlockEvent } from '../src/types.js';

// asyncContext 'auto' turns AsyncLocalStorage on when a block that a request was in named no route.
// These cases feed the tracker block events as the monitor delivers them: `requestsInFlight` is what the
// capture counted while the loop was blocked.

function request(tracker: RequestTracker) {
  const incoming = new IncomingMessage(new Socket());
  const response = new ServerResponse(incoming);
  return { record: tracker.begin(incoming, response, 'GET', routeTemplate('/tools/:name'), null), response };
}

function block(seen: 'stack' | 'wrapper' | 'nothing', requestsInFlight?: number): BlockEvent {
  return {
    type: 'block',
    startedAt: Date.now() - 300,
    durationMs: 300,
    stack: seen === 'stack' ? [{ functionName: 'grep', url: 'file:///app/tools.js', line: 3, column: 5 }] : [],
    inFlight: seen === 'wrapper' ? { api: 'child_process.execFileSync', hint: 'grep' } : null,
    context: null,
    ...(requestsInFlight === undefined ? {} : { requestsInFlight }),
    late: false,
  };
}

describe('RequestTracker: when async context is wanted', () => {
  it('wants it after a block with no route that a request was in flight for, seen by a stack or by a sync wrapper', () => {
    for (const seen of ['stack', 'wrapper'] as const) {
      const tracker = new RequestTracker();
      tracker.recordBlock(block(seen, 1));
      expect(tracker.asyncContextWanted).toBe(true);
    }
  });

  it('does not want it for a block no request was in flight for, even with requests in flight by the time it is reported', () => {
    const tracker = new RequestTracker();
    // Module loading blocked before the first request; its event arrives while that request runs.
    request(tracker);
    tracker.recordBlock(block('stack', 0));
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('does not want it for a block nobody looked at (no stack, no wrapped call)', () => {
    const tracker = new RequestTracker();
    tracker.recordBlock(block('nothing', 1));
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('does not want it for a block whose context named a route', () => {
    const tracker = new RequestTracker();
    tracker.recordBlock({ ...block('stack', 1), context: { 'http.route': '/tools/:name' } });
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('without a count from the capture, goes by the requests still in flight that started before the block ended', () => {
    const inFlight = new RequestTracker();
    const { record } = request(inFlight);
    inFlight.recordBlock({ ...block('stack'), startedAt: record.startedAt - 100 });
    expect(inFlight.asyncContextWanted).toBe(true);

    const answered = new RequestTracker();
    const done = request(answered);
    done.response.destroy();
    answered.recordBlock({ ...block('stack'), startedAt: done.record.startedAt - 100 });
    expect(answered.asyncContextWanted).toBe(false);

    const later = new RequestTracker();
    const { record: startedAfter } = request(later);
    later.recordBlock({ ...block('stack'), startedAt: startedAfter.startedAt - 5000 });
    expect(later.asyncContextWanted).toBe(false);
  });
});

// The capture itself (a pause, a sync wrapper's report) counts the requests in flight on the blocked thread and
// decides there, before the event is delivered: a request that starts in between names its route already.
describe('RequestTracker: deciding as a block is captured', () => {
  it('wants it when a block is captured outside any request while one is in flight (code after its await)', () => {
    const tracker = new RequestTracker();
    request(tracker);
    expect(tracker.countInFlightForCapture()).toBe(1);
    expect(tracker.asyncContextWanted).toBe(true);
  });

  it('does not want it for a block captured in a request, with its route entered synchronously or by withContext', () => {
    const tracker = new RequestTracker();
    const { record } = request(tracker);
    expect(runInSyncContext(record, () => tracker.countInFlightForCapture(), undefined, undefined, undefined)).toBe(1);
    expect(withContext({ 'http.route': '/tools/:name' }, () => tracker.countInFlightForCapture())).toBe(1);
    expect(tracker.asyncContextWanted).toBe(false);
  });

  it('does not want it for a block captured while no request is in flight', () => {
    const tracker = new RequestTracker();
    request(tracker).response.destroy();
    expect(tracker.countInFlightForCapture()).toBe(0);
    expect(tracker.asyncContextWanted).toBe(false);
  });
});

describe('RequestTracker: requests in flight', () => {
  it('counts only requests not yet answered, and ends answered ones when the section is read', () => {
    const tracker = new RequestTracker();
    const first = request(tracker);
    request(tracker);
    expect(tracker.countInFlight()).toBe(2);
    first.response.destroy();
    expect(tracker.countInFlight()).toBe(1);
    const section = tracker.section();
    const entry = section.routes.find((route) => route.route === '/tools/:name');
    expect(entry).toMatchObject({ inFlight: 1, requests: 1 });
  });
});
