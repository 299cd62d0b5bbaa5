import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeNoStack, describeNoStackReason } from '../src/report/describe.js';
import { describeFrame, frameFile, frameOwner, packageOfPath, readableFunctionName } from '../src/report/frames.js';
import type { Frame } from '../src/report/log-types.js';
import { foldedText, foldStack, headFrame } from '../src/report/stack-fold.js';
import { LAG_BARS, lagColumns } from '../src/report/svg.js';

const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-report-frames-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const frame = (functionName: string, url: string, line = 1): Frame => ({ functionName, url, line, column: 2 });

describe('readableFunctionName', () => {
  it.each([
    // V8's inferred chains: the plumbing dropped, the last two names kept.
    ['then.then.then.errorResponse.jsonrpc', 'errorResponse.jsonrpc'],
    ['Promise.resolve.then.then.transport.send.jsonrpc', 'send.jsonrpc'],
    ['module.exports.handler', 'handler'],
    ['exports.default', '(anonymous)'],
    ['Foo.prototype.bar', 'Foo.bar'],
    ['Object.<anonymous>', '(anonymous)'],
    ['then.catch', '(anonymous)'],
    // Names that are already readable stay as they are.
    ['Server.handleRequest', 'Server.handleRequest'],
    ['shell', 'shell'],
    ['then', 'then'],
    ['Layer.handle [as handle_request]', 'Layer.handle [as handle_request]'],
    ['get body', 'get body'],
    // Anonymous, however V8 or an older log spells it.
    ['', '(anonymous)'],
    ['<anonymous>', '(anonymous)'],
  ])('%j reads as %j', (name, readable) => {
    expect(readableFunctionName(name)).toBe(readable);
  });

  it('cuts a name longer than a line from the front, where it is least specific', () => {
    const long = `${'x'.repeat(100)}Handler`;
    const shown = readableFunctionName(long);
    expect(shown).toHaveLength(80);
    expect(shown.startsWith('…')).toBe(true);
    expect(shown.endsWith('xxHandler')).toBe(true);
  });
});

describe('frame paths', () => {
  const app = join(scratch, 'app');
  const sdk = join(app, 'node_modules/@modelcontextprotocol/sdk');
  mkdirSync(join(sdk, 'dist'), { recursive: true });
  writeFileSync(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: '1.32.2' }));
  writeFileSync(join(sdk, 'dist/server.js'), '');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'src/tools.js'), '');

  it('shows a source-mapped file that is not on disk as package@version/path, the version from its package.json', () => {
    const url = pathToFileURL(join(sdk, 'src/server/mcp.ts')).href;
    expect(frameFile(url, app)).toBe('@modelcontextprotocol/sdk@1.32.2/src/server/mcp.ts');
    expect(describeFrame(frame('McpServer.handle', url, 12), app)).toBe('McpServer.handle (@modelcontextprotocol/sdk@1.32.2/src/server/mcp.ts:12:2)');
  });

  it('shows package/path when the package is not installed here either (a log from another machine)', () => {
    expect(frameFile('file:///srv/other/node_modules/express/lib/router/index.ts', app)).toBe('express/lib/router/index.ts');
    expect(frameFile('/srv/other/node_modules/.pnpm/zod@4.0.0/node_modules/zod/src/types.ts', app)).toBe('zod/src/types.ts');
  });

  it('keeps the path of a file that is on disk (an editor can open it), relative to cwd when below it', () => {
    expect(frameFile(pathToFileURL(join(sdk, 'dist/server.js')).href, app)).toBe('node_modules/@modelcontextprotocol/sdk/dist/server.js');
    expect(frameFile(pathToFileURL(join(app, 'src/tools.js')).href, app)).toBe('src/tools.js');
    expect(frameFile(pathToFileURL(join(app, 'src/tools.js')).href, join(scratch, 'elsewhere'))).toBe(join(app, 'src/tools.js'));
    expect(frameFile('node:fs', app)).toBe('node:fs');
  });

  it('knows which package a path inside node_modules belongs to', () => {
    expect(packageOfPath('/a/node_modules/@scope/pkg/lib/x.js')).toEqual({ name: '@scope/pkg', root: '/a/node_modules/@scope/pkg', inner: 'lib/x.js' });
    expect(packageOfPath('/a/node_modules/.pnpm/x@1/node_modules/x/i.js')?.name).toBe('x');
    expect(packageOfPath('/a/src/node_modules.js')).toBeNull();
    expect(packageOfPath('/a/node_modules/@scope')).toBeNull();
  });

  it('names who owns a frame', () => {
    expect(frameOwner(frame('f', pathToFileURL(join(app, 'src/tools.js')).href))).toBeNull();
    expect(frameOwner(frame('f', 'file:///x/node_modules/router/index.js'))).toBe('router');
    expect(frameOwner(frame('f', 'node:internal/timers'))).toBe('node');
    expect(frameOwner(frame('f', 'file:///x/node_modules/@agent-lag/runtime-monitor/dist/sync-wrappers.js'))).toBe('agent-lag');
    expect(frameOwner(frame('f', ''))).toBe('unknown source');
  });
});

describe('foldStack', () => {
  const user = (name: string) => frame(name, 'file:///app/src/app.js');
  const express = (n: number) => Array.from({ length: n }, (_, i) => frame('handle', i % 2 ? 'file:///app/node_modules/router/index.js' : 'file:///app/node_modules/express/lib/router/layer.js'));

  it('folds each run of two or more dependency frames into one line naming their packages, in order', () => {
    const lines = foldStack([frame('readFileSync', 'node:fs'), frame('x', 'node:internal/fs/utils'), user('load'), ...express(18), user('main'), frame('processTicksAndRejections', 'node:internal/process/task_queues')]);
    expect(lines.map((line) => (line.kind === 'frame' ? line.frame.functionName : foldedText(line)))).toEqual([
      '+2 frames in node',
      'load',
      '+18 frames in express, router',
      'main',
      'processTicksAndRejections',
    ]);
  });

  it('names at most four packages', () => {
    const frames = ['a', 'b', 'c', 'd', 'e', 'f'].map((pkg) => frame('f', `file:///app/node_modules/${pkg}/i.js`));
    const [folded] = foldStack([user('u'), ...frames]).slice(1);
    expect(folded && folded.kind === 'folded' ? foldedText(folded) : null).toBe('+6 frames in a, b, c, d and 2 more');
  });

  it('keeps the innermost frame in view when none is the application’s', () => {
    const lines = foldStack(express(5));
    expect(lines.map((line) => line.kind)).toEqual(['frame', 'folded']);
    expect(lines[1]?.kind === 'folded' ? foldedText(lines[1]) : null).toBe('+4 frames in router, express');
  });

  it('keeps the innermost frame and the package frame a block line names in view when none is the application’s', () => {
    const openai = (name: string) => frame(name, 'file:///app/node_modules/openai/auth.js');
    const node = (name: string) => frame(name, 'node:internal/deps/undici/undici');
    const stack = [node('connect'), node('dispatch'), node('request'), openai('exchangeToken'), openai('refresh'), node('processTicksAndRejections')];
    const lines = foldStack(stack);
    expect(lines.map((line) => (line.kind === 'frame' ? line.frame.functionName : foldedText(line)))).toEqual([
      'connect',
      '+2 frames in node',
      'exchangeToken',
      '+2 frames in openai, node',
    ]);
    expect(headFrame(stack)?.functionName).toBe('exchangeToken');
  });

  it('leaves a stack of the application’s own frames as it is', () => {
    expect(foldStack([user('a'), user('b')]).map((line) => line.kind)).toEqual(['frame', 'frame']);
    expect(foldStack([])).toEqual([]);
  });

  it('names a stack by the application’s frame, else a package’s, else the first', () => {
    expect(headFrame([frame('execSync', 'node:child_process'), user('shell')])?.functionName).toBe('shell');
    expect(headFrame([frame('execSync', 'node:child_process'), ...express(2)])?.url).toContain('express');
    expect(headFrame([frame('execSync', 'node:child_process')])?.functionName).toBe('execSync');
    expect(headFrame([])).toBeUndefined();
  });
});

describe('describeNoStack', () => {
  const none = { stack: [], inFlight: null };
  it('says why a block has no stack, from what the block carries', () => {
    expect(describeNoStack({ ...none, noStack: 'a repeat of a stack logged earlier, 3 blocks in all: its block was not logged again' }, 'full')).toMatch(/^a repeat/);
    expect(describeNoStack(none, 'lag-only')).toBe('no stack: the monitor ran lag-only, without the inspector');
    expect(describeNoStack({ ...none, ongoing: true }, 'full')).toMatch(/^no stack sampled before it was reported/);
    expect(describeNoStack({ stack: [], inFlight: { api: 'fs.readFileSync', hint: null } }, 'full')).toBe(
      'no stack: a native call that ended before the watchdog could sample it; the sync API in flight names it',
    );
    expect(describeNoStack(none, 'full')).toBe('no stack: over before the watchdog could sample it, or a native call no wrapper names');
    expect(describeNoStack({ stack: [frame('f', 'file:///a.js')], inFlight: null }, 'full')).toBeNull();
  });

  it("words the counters' reasons without parentheses inside, since the terminal wraps each in its own", () => {
    expect(describeNoStackReason('rate-limited')).toBe('no stack: rate-limited, the budget for detailed reports was spent');
    expect(describeNoStackReason('lag-only')).toBe('no stack: the monitor ran lag-only, without the inspector');
    expect(describeNoStackReason('debugger')).toBe('no stack: a debugger held the main thread');
    expect(describeNoStackReason('not-caught')).toBe(describeNoStack({ stack: [], inFlight: null }, 'full'));
    expect(describeNoStackReason('ended-unseen')).toBe('no stack: over before the watchdog looked, up to 2 × the threshold after it began, later on a busy machine; a lower threshold catches shorter blocks');
    expect(describeNoStackReason('start-up')).toBe('no stack: it began in the start-up grace, when stacks are not sampled');
    expect(describeNoStackReason('some-new-word')).toBe('no stack: some-new-word');
    for (const reason of ['rate-limited', 'lag-only', 'debugger', 'ended-unseen', 'not-caught', 'start-up']) {
      expect(describeNoStackReason(reason)).not.toMatch(/[()]/);
      expect(describeNoStackReason(reason, true)).not.toMatch(/[()]/);
    }
  });

  it('words not-caught for a block still running when it was given (a provisional event, a checkpoint): no sample yet, not "over"', () => {
    expect(describeNoStackReason('not-caught', true)).toBe('no stack sampled yet: a native call no wrapper names, or the first sample had not landed');
    expect(describeNoStack({ ...none, noStackReason: 'not-caught', ongoing: true }, 'full')).toBe(describeNoStackReason('not-caught', true));
    expect(describeNoStackReason('start-up', true)).toBe(describeNoStackReason('start-up'));
  });
});

describe('lagColumns', () => {
  const T0 = 1_767_225_600_000;
  const point = (i: number, maxMs: number) => ({ at: T0 + (i + 1) * 1000, p50Ms: 1, p99Ms: maxMs, maxMs, utilization: null, windows: 1 });

  it('gives one column a window while they fit, with the chart starting one window before the first end', () => {
    const { start, end, count, columns } = lagColumns([point(0, 5), point(1, 7)]);
    expect([start, end, count]).toEqual([T0, T0 + 2000, 2]);
    expect(columns.map((c) => [c.index, c.maxMs, c.windows])).toEqual([[0, 5, 1], [1, 7, 1]]);
    expect(lagColumns([point(0, 5)]).columns).toHaveLength(1);
  });

  it('keeps a gap in the log a gap', () => {
    expect(lagColumns([point(0, 5), point(1, 5), point(5, 5), point(6, 5)]).columns.map((c) => c.index)).toEqual([0, 1, 5, 6]);
  });

  it('merges 10,000 windows into at most LAG_BARS columns keeping every window and the worst max', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => point(i, i === 7777 ? 900 : 2));
    const { count, columns } = lagColumns(points);
    expect(count).toBe(LAG_BARS);
    expect(columns.length).toBeLessThanOrEqual(LAG_BARS);
    expect(columns.reduce((sum, c) => sum + c.windows, 0)).toBe(10_000);
    expect(Math.max(...columns.map((c) => c.maxMs))).toBe(900);
    expect(columns.filter((c) => c.maxMs === 900)).toHaveLength(1);
  });
});
