/**
 * Polls `read` every 50 ms until it gives something other than undefined, and returns that; past
 * `timeoutMs` it throws, naming `what` was waited for. For conditions a loaded machine reaches late.
 */
export async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
