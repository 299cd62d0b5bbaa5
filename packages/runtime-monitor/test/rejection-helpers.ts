/**
 * The reasons of the rejections nobody handled after `action` ran: waited for until `until` holds on them (or
 * 5 s passed), then one more turn of the event loop, since Node reports a tick's unhandled rejections together
 * and any second one shows with the first. vitest's own listener, which would fail the run, is out meanwhile.
 */
export async function unhandledRejectionsAfter(action: () => void, until: (seen: readonly unknown[]) => boolean): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandled);
  try {
    action();
    const deadline = Date.now() + 5000;
    while (!until(unhandled) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off('unhandledRejection', onUnhandled);
    for (const listener of listeners) process.on('unhandledRejection', listener);
  }
}
