import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksCausedDuring, blocksOf, runFixture, tempDir } from './monitor-helpers.js';

/*
 * The context is read while the main thread is paused in the block, by an evaluation in the global scope:
 * evaluated on the paused frame instead, it resolved `globalThis`, `Symbol` and `JSON` in that frame's
 * scope, which threw in code that binds those names (Node's own modules, as in a block caught inside
 * Node 24's `performance` getter; bundles), or saw another global object (a vm context), and the block
 * lost its context.
 */

const temp = tempDir();
afterAll(() => temp.remove());

describe('a block paused where the scope hides the globals', () => {
  let result: Awaited<ReturnType<typeof runFixture>>;

  beforeAll(async () => {
    result = await runFixture('pause-scopes.mjs', {}, temp.dir);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  it.each([
    ['shadowedScope', 'blockInShadowedScope', /pause-scopes\.mjs$/],
    ['vmContext', 'blockInVmContext', /^sandboxed-tool\.js$/],
  ])('%s: carries its context, its stack through %s', (kind, functionName, url) => {
    const window = result.output?.windows.find((candidate) => candidate.kind === kind);
    expect(window, result.stdout).toBeDefined();
    const found = blocksCausedDuring(blocksOf(result.events), window!, 100);
    expect(found, JSON.stringify(result.events)).toHaveLength(1);
    const block = found[0]!;
    // The pause may land in performance.now, Node's own code (a frame of node:internal on top).
    expect(block.stack).toContainEqual(expect.objectContaining({ functionName, url: expect.stringMatching(url) as string }));
    expect(block.context).toEqual({ kind });
  });
});
