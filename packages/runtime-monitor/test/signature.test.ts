import { describe, expect, it } from 'vitest';
import { stackSignature } from '../src/events/signature.js';
import type { StackFrame } from '../src/types.js';

const frame = (functionName: string, url: string, line: number, column = 1): StackFrame => ({ functionName, url, line, column });
const app = 'file:///srv/app/tools.js';

describe('stackSignature', () => {
  it('gives the same code blocking on the same line one signature, wherever in that line the pause landed', () => {
    // A loop calling performance.now(): the pause lands in Node's own code under it, or on the loop itself.
    const onTheLoop = [frame('blockRepeatedly', app, 30, 35), frame('', app, 35, 3)];
    const insideNow = [frame('', 'node:internal/validators', 548, 57), frame('wrappedFn', 'node:internal/errors', 540, 14), frame('now', 'node:internal/perf/performance', 138, 5), frame('blockRepeatedly', app, 30, 22), frame('', app, 35, 3)];
    expect(stackSignature(insideNow, null)).toBe(stackSignature(onTheLoop, null));
  });

  it('tells apart other lines, other callers and another API in flight', () => {
    const base = [frame('blockRepeatedly', app, 30), frame('', app, 35)];
    const signatures = new Set([
      stackSignature(base, null),
      stackSignature([frame('blockRepeatedly', app, 31), frame('', app, 35)], null),
      stackSignature([frame('blockRepeatedly', app, 30), frame('other', app, 40)], null),
      stackSignature(base, { api: 'fs.readFileSync', hint: null }),
    ]);
    expect(signatures.size).toBe(4);
  });

  it("keeps Node's frames when they are all there is (a block inside Node itself)", () => {
    const loading = [frame('compileSourceTextModule', 'node:internal/modules/esm/utils', 338), frame('run', 'node:internal/modules/esm/module_job', 325)];
    const other = [frame('readPackage', 'node:internal/modules/package_json_reader', 90), frame('run', 'node:internal/modules/esm/module_job', 325)];
    expect(stackSignature(loading, null)).not.toBe(stackSignature(other, null));
    expect(stackSignature(loading, null)).not.toBe(stackSignature([], null));
  });
});
