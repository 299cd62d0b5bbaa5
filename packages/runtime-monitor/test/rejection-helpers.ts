/**
 * The reasons of the rejections nobody handled after `action` ran: waited for until there is one (or 5 s
 * passed), then one more turn of the event loop, since Node reports a tick's unhandled rejections together
 * and any second one shows with the first. vitest's own listener, which would fail the run, is out meanwhile.
 */
export async function unhandledRejectionsAfter(action: () => void): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandled);
  try {
    action();
    const deadline = Date.now() + 5000;
    while (unhandled.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off('unhandledRejection', onUnhandled);
    for (const listener of listeners) process.on('unhandledRejection', listener);
  }
}
