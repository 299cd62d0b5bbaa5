import * as inspector from 'node:inspector';
import * as inspectorPromises from 'node:inspector/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { watchHostDebugger, type HostDebuggerWatch } from '../src/capture/host-debugger.js';

// Real inspector sessions on this test's own thread: the host's side of what the watchdog must notice.

const watches: HostDebuggerWatch[] = [];
const sessions: inspector.Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.disconnect();
  for (const watch of watches.splice(0)) watch.stop();
});

function watch(): { changes: boolean[]; handle: HostDebuggerWatch } {
  const changes: boolean[] = [];
  const handle = watchHostDebugger((enabled) => changes.push(enabled));
  watches.push(handle);
  expect(handle.watching).toBe(true);
  return { changes, handle };
}

function connected<T extends inspector.Session>(session: T): T {
  session.connect();
  sessions.push(session);
  return session;
}

/** The callback API's post as a promise, for tests that need the reply. */
const post = (session: inspector.Session, method: string): Promise<unknown> =>
  new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));

/** What the prototypes hold now, read as plain values (the test compares functions, it never calls them unbound). */
const current = () => ({
  post: Reflect.get(inspector.Session.prototype, 'post') as unknown,
  disconnect: Reflect.get(inspector.Session.prototype, 'disconnect') as unknown,
  promisesPost: Reflect.get(inspectorPromises.Session.prototype, 'post') as unknown,
});
const originals = current();

/** Debugger.enable's reply: `{ debuggerId }`. */
const isEnableReply = (value: unknown): boolean => typeof (value as { debuggerId?: unknown } | null)?.debuggerId === 'string';

describe('watchHostDebugger', () => {
  it('counts Debugger.enable from the moment it is posted, before its dispatch, and Debugger.disable once dispatched', async () => {
    const order: string[] = [];
    const handle = watchHostDebugger((enabled) => order.push(`changed: ${enabled}`));
    watches.push(handle);
    const session = connected(new inspector.Session());
    // A session on its own thread dispatches synchronously: the reply comes inside post.
    const replies: unknown[] = [];
    session.post('Debugger.enable', (error, result) => {
      order.push('enable reply');
      replies.push(error ?? result);
    });
    order.push('enable returned');
    expect(order).toEqual(['changed: true', 'enable reply', 'enable returned']);
    expect(handle.enabled).toBe(true);
    // The host gets its own reply, untouched.
    expect(replies).toHaveLength(1);
    expect(isEnableReply(replies[0])).toBe(true);

    await post(session, 'Debugger.disable');
    expect(order.slice(3)).toEqual(['changed: false']);
    expect(handle.enabled).toBe(false);
  });

  it('treats a disconnected session as disabled', async () => {
    const { changes, handle } = watch();
    const session = connected(new inspector.Session());
    await post(session, 'Debugger.enable');
    session.disconnect();
    expect(changes).toEqual([true, false]);
    expect(handle.enabled).toBe(false);
  });

  it('stays on while any session has the debugger on; a session counts once however often it enables', async () => {
    const { changes, handle } = watch();
    const first = connected(new inspector.Session());
    const second = connected(new inspector.Session());
    await post(first, 'Debugger.enable');
    await post(first, 'Debugger.enable');
    await post(second, 'Debugger.enable');
    expect(changes).toEqual([true]);

    // One disable turns a session's debugger off, however many enables it got.
    await post(first, 'Debugger.disable');
    expect(changes).toEqual([true]);
    expect(handle.enabled).toBe(true);

    second.disconnect();
    expect(changes).toEqual([true, false]);
    // A disable after the session went off changes nothing.
    await post(first, 'Debugger.disable');
    expect(changes).toEqual([true, false]);
  });

  it('sees the promises API, alone and next to the callback API', async () => {
    const { changes, handle } = watch();
    const session = connected(new inspectorPromises.Session());
    const enabling = session.post('Debugger.enable');
    expect(changes).toEqual([true]);
    expect(isEnableReply(await enabling)).toBe(true);
    await session.post('Debugger.disable');
    expect(changes).toEqual([true, false]);

    const other = connected(new inspector.Session());
    await session.post('Debugger.enable');
    await post(other, 'Debugger.enable');
    await session.post('Debugger.disable');
    expect(handle.enabled).toBe(true);
    // disconnect is the callback Session's, inherited by the promises one.
    other.disconnect();
    expect(changes).toEqual([true, false, true, false]);
  });

  it('takes back an enable that threw (callback API, session not connected)', () => {
    const { changes, handle } = watch();
    const session = new inspector.Session();
    expect(() => session.post('Debugger.enable', () => undefined)).toThrow(expect.objectContaining({ code: 'ERR_INSPECTOR_NOT_CONNECTED' }));
    // Counted as it was posted, then taken back when post threw.
    expect(changes).toEqual([true, false]);
    expect(handle.enabled).toBe(false);
  });

  it('leaves other methods alone', async () => {
    const { changes } = watch();
    const session = connected(new inspector.Session());
    await post(session, 'Runtime.enable');
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.disable');
    expect(changes).toEqual([]);
  });

  it('never throws into the host when a listener does, and keeps telling the others', async () => {
    const throwing = watchHostDebugger(() => {
      throw new Error('listener bug');
    });
    watches.push(throwing);
    const { changes } = watch();
    const session = connected(new inspector.Session());
    await post(session, 'Debugger.enable');
    await post(session, 'Debugger.disable');
    expect(changes).toEqual([true, false]);
  });

  it('shares one wrap between watches, tells a late watch the current state, and restores the originals when the last stops', async () => {
    const first = watch();
    const wrapped = current();
    expect(wrapped.post).not.toBe(originals.post);
    expect(wrapped.promisesPost).not.toBe(originals.promisesPost);
    expect(wrapped.disconnect).not.toBe(originals.disconnect);
    const [wrappedPost, originalPost] = [wrapped.post as (...args: unknown[]) => unknown, originals.post as (...args: unknown[]) => unknown];
    expect(wrappedPost.name).toBe(originalPost.name);
    expect(wrappedPost.length).toBe(originalPost.length);

    const session = connected(new inspector.Session());
    await post(session, 'Debugger.enable');
    const second = watch();
    expect(current()).toEqual(wrapped);
    expect(second.changes).toEqual([true]);

    first.handle.stop();
    first.handle.stop();
    expect(current()).toEqual(wrapped);
    await post(session, 'Debugger.disable');
    expect(first.changes).toEqual([true]);
    expect(second.changes).toEqual([true, false]);

    second.handle.stop();
    expect(current()).toEqual(originals);
    await post(session, 'Debugger.enable');
    expect(second.changes).toEqual([true, false]);

    // A new watch starts from nothing: what happened unwatched is not known.
    const third = watch();
    expect(third.changes).toEqual([]);
    expect(third.handle.enabled).toBe(false);
  });

  it('leaves a later wrapper in place on stop, and its own wrapper then only passes calls through', async () => {
    const { changes, handle } = watch();
    const ours = current().post as (...args: unknown[]) => unknown;
    const theirs = function (this: inspector.Session, ...args: unknown[]): unknown {
      return Reflect.apply(ours, this, args);
    };
    Reflect.set(inspector.Session.prototype, 'post', theirs);
    try {
      handle.stop();
      expect(current().post).toBe(theirs);
      const session = connected(new inspector.Session());
      await post(session, 'Debugger.enable');
      expect(changes).toEqual([]);
    } finally {
      Reflect.set(inspector.Session.prototype, 'post', originals.post);
    }
  });
});
