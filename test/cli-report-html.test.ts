import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from './helpers/chromium.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

const eventLog = join(repoRoot, 'test/fixtures/cli/report/events.ndjson');
const recordedLog = join(repoRoot, 'test/fixtures/cli/report/recorded-agent-service.ndjson');
const docsImage = join(repoRoot, 'packages/cli/docs/report.png');
// Made before the first test, not at import: vitest runs no hooks of a file whose tests are all skipped (no
// Chromium), and a directory made at import was left behind in the temp dir on every such run.
let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'agent-lag-report-html-'));
});
afterAll(() => {
  if (scratch === '') return;
  // AGENT_LAG_KEEP_SCREENSHOTS=<dir> keeps the pages and screenshots to look at.
  const keep = process.env['AGENT_LAG_KEEP_SCREENSHOTS'];
  if (keep) cpSync(scratch, keep, { recursive: true, filter: (path) => !path.includes('node_modules') && !path.endsWith('.ndjson') });
  rmSync(scratch, { recursive: true, force: true });
});

/** The chart draws at most this many bars (LAG_BARS in packages/cli/src/report/svg.ts). */
const BAR_CAP = 300;
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

const lagLine = (at: number, maxMs: number, p99Ms = maxMs * 0.9, p50Ms = Math.min(1, maxMs)) =>
  JSON.stringify({
    type: 'lag',
    pid: 4242,
    at,
    windowMs: 1000,
    lag: { minMs: 0.01, maxMs, meanMs: p50Ms, stddevMs: 0.1, p50Ms, p90Ms: p99Ms, p99Ms, samples: 100, source: 'perf_hooks' },
    utilization: 0.1,
    threadPool: null,
  });

function writeLog(name: string, lines: readonly string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A PNG's pixels as RGBA: Chromium writes 8-bit RGB or RGBA, non-interlaced; each row carries a filter byte. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[12]]).toEqual([8, 0]); // 8 bits a channel, not interlaced
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)];
    const line = new Uint8Array(raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? (line[i - channels] ?? 0) : 0;
      const up = previous[i] ?? 0;
      const upLeft = i >= channels ? (previous[i - channels] ?? 0) : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const add = [0, left, up, (left + up) >> 1, paeth()][filter ?? 0] ?? 0;
      line[i] = ((line[i] ?? 0) + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([line[x * channels] ?? 0, line[x * channels + 1] ?? 0, line[x * channels + 2] ?? 0, channels === 4 ? (line[x * channels + 3] ?? 255) : 255], (row * width + x) * 4);
    }
    previous = line;
  }
  return { width, height, rgba: out };
}

/** Pixels of a strong colour (the bars' amber, red, blue): grid lines, text and the white ground are grey. */
async function colouredPixels(element: Locator): Promise<number> {
  const { width, height, rgba } = decodePng(await element.screenshot());
  let count = 0;
  for (let i = 0; i < width * height * 4; i += 4) {
    const [r = 0, g = 0, b = 0] = rgba.subarray(i, i + 3);
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) count++;
  }
  return count;
}

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every tick label of the lag chart, drawn inside the chart and clear of every other. */
async function expectReadableAxes(page: Page): Promise<{ x: string[]; y: string[] }> {
  const chart = await page.locator('svg.lag-chart').boundingBox();
  expect(chart).not.toBeNull();
  const labels: { x: string[]; y: string[] } = { x: [], y: [] };
  for (const axis of ['x', 'y'] as const) {
    const ticks = await page.locator(`svg.lag-chart text.${axis}-tick`).all();
    const boxes: Box[] = [];
    for (const tick of ticks) {
      const box = await tick.boundingBox();
      expect(box).not.toBeNull();
      if (!box || !chart) continue;
      expect(box.x).toBeGreaterThanOrEqual(chart.x);
      expect(box.x + box.width).toBeLessThanOrEqual(chart.x + chart.width);
      for (const other of boxes) expect(overlap(box, other), `${axis} tick labels overlap`).toBe(false);
      boxes.push(box);
      labels[axis].push((await tick.textContent()) ?? '');
    }
  }
  expect(await page.locator('svg.lag-chart text.y-title').textContent()).toBe('ms');
  expect(await page.locator('svg.lag-chart text.x-title').textContent()).toMatch(/^time \(UTC, \d{4}-\d\d-\d\d\)$/);
  return labels;
}

describe.skipIf(CHROMIUM_PATH === null)('the HTML report in headless Chromium', () => {
  it('renders its charts with a bar per window and tables without fetching anything', async () => {
    const html = join(scratch, 'report.html');
    const { code } = await run([cliBin, 'report', eventLog, '--html', html, '--json'], { cwd: repoRoot });
    expect(code).toBe(0);

    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(html).href);

      expect(await page.title()).toContain('agent-lag report');
      // 20 lag windows in the log: one bar per window, each with its max, p99 and p50.
      expect(await page.locator('svg.lag-chart g.lag-bar').count()).toBe(20);
      expect(await page.locator('svg.lag-chart g.lag-bar rect.bar-p99').count()).toBe(20);
      // The 1.14 s spike is the tallest bar, and the axis reaches it.
      const labels = await expectReadableAxes(page);
      expect(labels.y).toEqual(['0', '500', '1,000', '1,500']);
      expect(labels.x[0]).toMatch(/^00:00:0\d$/);
      expect(await page.locator('svg.lag-chart g.lag-bar title', { hasText: 'max 1.14 s' }).count()).toBe(1);
      // Stall histogram buckets from 50–100 ms to 1–2.5 s; the bars are drawn with their size.
      const bars = page.locator('svg.stall-histogram rect.bar');
      expect(await bars.count()).toBe(5);
      const heights = await Promise.all((await bars.all()).map(async (bar) => (await bar.boundingBox())?.height ?? 0));
      expect(Math.max(...heights)).toBeGreaterThan(100);
      // Buckets 50–100 ms (4), 100–250 ms (64) and 1–2.5 s (1) have stalls; the two between are empty.
      expect(heights.filter((height) => height > 0)).toHaveLength(3);
      expect(await page.locator('table.routes tbody tr').count()).toBe(2);
      expect(await page.locator('table.routes tbody tr').first().textContent()).toContain('/agent/run');
      const groups = page.locator('details.stack-group');
      expect(await groups.count()).toBe(2);
      expect(await groups.first().textContent()).toContain('child_process.execSync');
      expect(await groups.first().locator('.frame.user').first().textContent()).toBe('at shell (/home/dev/agent-service/sync-tools.js:16:18)');

      const screenshot = join(scratch, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
      expect(await colouredPixels(page.locator('svg.lag-chart'))).toBeGreaterThan(2000);
      // AGENT_LAG_UPDATE_DOCS=1 refreshes the image the CLI README shows.
      if (process.env['AGENT_LAG_UPDATE_DOCS']) {
        mkdirSync(join(docsImage, '..'), { recursive: true });
        copyFileSync(screenshot, docsImage);
      }

      // A log recorded by the real monitor (5 lag windows, no per-route section) renders too.
      const recordedHtml = join(scratch, 'recorded.html');
      const recorded = await run([cliBin, 'report', recordedLog, '--html', recordedHtml], { cwd: repoRoot });
      expect(recorded.code).toBe(0);
      await page.goto(pathToFileURL(recordedHtml).href);
      expect(await page.locator('svg.lag-chart g.lag-bar').count()).toBe(5);
      await expectReadableAxes(page);
      expect(await page.locator('svg.stall-histogram rect.bar').count()).toBe(3);
      const group = page.locator('details.stack-group').first();
      expect(await group.textContent()).toContain('child_process.execSync');
      // execSync's four frames inside Node fold into one line above the tool that called it.
      expect(await group.locator('details.fold > summary').first().textContent()).toBe('+4 frames in node');
      // Its block events with no stack say why, in words, instead of a dash in every column.
      const stackless = page.locator('table.worst td.no-stack').first();
      expect(await stackless.textContent()).toBe('no stack: a native call that ended before the watchdog could sample it; the sync API in flight names it');
      expect(await stackless.getAttribute('colspan')).toBe('3');
      await page.screenshot({ path: join(scratch, 'recorded.png'), fullPage: true });

      expect(errors).toEqual([]);
      expect(requested).toEqual([pathToFileURL(html).href, pathToFileURL(recordedHtml).href]);
    } finally {
      await browser.close();
    }
  });

  it('draws one window, two windows and 10,000 windows as bars a person can read', async () => {
    const one = writeLog('one-window.ndjson', [lagLine(T0 + 1000, 300, 280, 2)]);
    const two = writeLog('two-windows.ndjson', [lagLine(T0 + 1000, 1.0, 0.9, 0.2), lagLine(T0 + 2000, 0.8, 0.7, 0.2)]);
    // 10,000 one-second windows of ~2 ms, and one 900 ms spike in the middle that must not be averaged away.
    const many = writeLog(
      'many-windows.ndjson',
      Array.from({ length: 10_000 }, (_, i) => (i === 5000 ? lagLine(T0 + (i + 1) * 1000, 900, 850, 3) : lagLine(T0 + (i + 1) * 1000, 2 + (i % 7) / 10, 1.5, 0.4))),
    );
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      for (const [log, windows] of [[one, 1], [two, 2], [many, 10_000]] as const) {
        const html = join(scratch, `${windows}-windows.html`);
        const report = await run([cliBin, 'report', log, '--html', html], { cwd: scratch });
        expect(report.code, report.stderr).toBe(0);
        await page.goto(pathToFileURL(html).href);
        const bars = page.locator('svg.lag-chart g.lag-bar');
        const count = await bars.count();
        expect(count).toBeGreaterThanOrEqual(Math.min(windows, 100));
        expect(count).toBeLessThanOrEqual(Math.min(windows, BAR_CAP));
        const labels = await expectReadableAxes(page);
        expect(labels.y.length).toBeGreaterThanOrEqual(3);
        expect(labels.x.length).toBeGreaterThanOrEqual(1);
        for (const label of labels.x) expect(label).toMatch(/^\d\d:\d\d(:\d\d(\.\d)?)?$/);
        const png = join(scratch, `${windows}-windows.png`);
        await page.locator('svg.lag-chart').screenshot({ path: png });
        expect(await colouredPixels(page.locator('svg.lag-chart'))).toBeGreaterThan(windows === 2 ? 150 : 1000);
        if (windows <= 2) {
          // A bar for one or two windows is a bar, not a hairline across the chart or a dot.
          for (const bar of await page.locator('svg.lag-chart g.lag-bar rect.bar-max').all()) {
            const box = await bar.boundingBox();
            expect(box?.width).toBeGreaterThanOrEqual(20);
            expect(box?.width).toBeLessThanOrEqual(60);
            expect(box?.height).toBeGreaterThan(windows === 1 ? 100 : 20);
          }
          expect(await page.locator('p.chart-note').textContent()).toBe(
            `${windows} lag window${windows === 1 ? '' : 's'}, one bar each: the worst delay (max), the 99th and the 50th percentile of the event-loop delay in the window.`,
          );
        }
        if (windows === 1) expect(labels.x).toEqual(['09:00:01']);
        if (windows === 2) expect(labels.y).toEqual(['0', '0.25', '0.5', '0.75', '1']);
        if (windows === 10_000) {
          // Downsampled, the spike keeps its height: the tallest bar is the 900 ms window.
          expect(await page.locator('svg.lag-chart g.lag-bar title', { hasText: 'max 900 ms' }).count()).toBe(1);
          const heights = await Promise.all((await page.locator('svg.lag-chart g.lag-bar rect.bar-max').all()).map(async (bar) => (await bar.boundingBox())?.height ?? 0));
          expect(Math.max(...heights)).toBeGreaterThan(150);
          expect(await page.locator('p.chart-note').textContent()).toMatch(/^10,000 lag windows in \d+ bars of [\d.]+ s each: a bar shows the worst max and p99 of its windows/);
        }
      }
    } finally {
      await browser.close();
    }
  });

  it('folds dependency frames, names source-mapped packages with their version, reads V8 names and says why a block has no stack', async () => {
    // An app folder with the MCP SDK's package.json on disk but not the TypeScript sources its source
    // maps point at; left-pad is not installed at all.
    const app = join(scratch, 'app');
    const sdk = join(app, 'node_modules/@modelcontextprotocol/sdk');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: '1.32.2' }));
    // Express's file is on disk: it keeps its path, which an editor can open.
    mkdirSync(join(app, 'node_modules/express/lib/router'), { recursive: true });
    writeFileSync(join(app, 'node_modules/express/package.json'), JSON.stringify({ name: 'express', version: '4.21.2' }));
    writeFileSync(join(app, 'node_modules/express/lib/router/layer.js'), '');
    const url = (path: string) => pathToFileURL(join(app, path)).href;
    const frame = (functionName: string, path: string, line: number) => ({ functionName, url: path.startsWith('node:') ? path : url(path), line, column: 5 });
    const express = Array.from({ length: 18 }, (_, i) =>
      i % 3 === 2 ? frame('next', 'node_modules/router/index.js', 280 + i) : frame('Layer.handle [as handle_request]', 'node_modules/express/lib/router/layer.js', 95 + i),
    );
    const block = (startedAt: number, durationMs: number, stack: unknown[], signature?: string) =>
      JSON.stringify({ type: 'block', pid: 4242, startedAt, durationMs, stack, inFlight: null, context: null, late: false, ...(signature ? { signature } : {}) });
    const userStack = [
      frame('then.then.then.errorResponse.jsonrpc', 'src/rpc.js', 40),
      frame('', 'src/server.js', 8),
      ...express,
      frame('processTicksAndRejections', 'node:internal/process/task_queues', 95),
    ];
    const sdkStack = [frame('Protocol._onrequest', 'node_modules/@modelcontextprotocol/sdk/src/shared/protocol.ts', 120), frame('pad', 'node_modules/left-pad/src/index.ts', 3)];
    const log = writeLog('stacks.ndjson', [
      lagLine(T0 + 1000, 2),
      block(T0 + 1100, 700, userStack, 'user'),
      block(T0 + 1900, 400, sdkStack, 'sdk'),
      block(T0 + 2500, 350, []),
      lagLine(T0 + 3000, 700),
      JSON.stringify({
        type: 'summary',
        pid: 4242,
        at: T0 + 3500,
        uptimeMs: 3500,
        thresholdMs: 50,
        mode: 'full',
        lag: { minMs: 0.01, maxMs: 700, meanMs: 3, stddevMs: 1, p50Ms: 1, p90Ms: 2, p99Ms: 650, samples: 300, source: 'perf_hooks' },
        utilization: 0.5,
        stalls: {
          count: 4,
          startupCount: 0,
          totalMs: 1750,
          maxMs: 700,
          p50Ms: 350,
          p99Ms: 700,
          histogram: '',
          worst: [
            { startedAt: T0 + 1100, durationMs: 700, signature: 'user', logged: true },
            { startedAt: T0 + 1900, durationMs: 400, signature: 'sdk', logged: true },
            { startedAt: T0 + 2500, durationMs: 350, logged: true, noStack: 'not-caught' },
            { startedAt: T0 + 2950, durationMs: 300, logged: false, noStack: 'rate-limited' },
          ],
        },
        threadPool: null,
        topStacks: [],
        syncCalls: [],
        sections: {},
      }),
    ]);
    const html = join(scratch, 'stacks.html');
    const report = await run([cliBin, 'report', log, '--html', html], { cwd: app });
    expect(report.code, report.stderr).toBe(0);

    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(pathToFileURL(html).href);
      const worst = page.locator('table.worst tbody tr');
      expect(await worst.count()).toBe(4);
      // The worst block is named by the user's innermost frame, V8's chain read as its last names.
      expect(await worst.nth(0).locator('td').nth(3).textContent()).toBe('errorResponse.jsonrpc (src/rpc.js:40:5)');
      expect(await worst.nth(0).locator('td:nth-child(4) code').getAttribute('title')).toBe('then.then.then.errorResponse.jsonrpc');
      // A block inside a dependency whose source-mapped file is not on disk: package@version/path.
      expect(await worst.nth(1).locator('td').nth(3).textContent()).toBe('Protocol._onrequest (@modelcontextprotocol/sdk@1.32.2/src/shared/protocol.ts:120:5)');
      // Blocks without a stack say why, once, across the cells they have nothing for.
      const stackless = worst.nth(2).locator('td.no-stack');
      expect(await stackless.textContent()).toBe('no stack: over before the watchdog could sample it, or a native call no wrapper names');
      expect(await stackless.getAttribute('colspan')).toBe('4');
      expect(await worst.nth(3).locator('td.no-stack').textContent()).toMatch(/rate-limited/);
      for (const row of [worst.nth(2), worst.nth(3)]) expect(await row.textContent()).not.toContain('–');

      const group = page.locator('details.stack-group', { hasText: 'errorResponse.jsonrpc' });
      const lines = group.locator('.stack > .frame, .stack > details.fold > summary');
      expect(await lines.allTextContents()).toEqual(['at errorResponse.jsonrpc (src/rpc.js:40:5)', 'at (anonymous) (src/server.js:8:5)', '+19 frames in express, router, node']);
      // Folded, and expandable: the frames are there when the line is opened.
      const fold = group.locator('details.fold');
      expect(await fold.locator('.frame').first().isVisible()).toBe(false);
      await fold.locator('summary').click();
      expect(await fold.locator('.frame').count()).toBe(19);
      expect(await fold.locator('.frame').first().isVisible()).toBe(true);
      expect(await fold.locator('.frame').first().textContent()).toBe('at Layer.handle [as handle_request] (node_modules/express/lib/router/layer.js:95:5)');

      // With no frame of the application's, the innermost stays in view and the rest folds; left-pad is
      // not installed, so its path has no version.
      const sdkGroup = page.locator('details.stack-group', { hasText: 'Protocol._onrequest' });
      // (a single dependency frame is shown as it is: a fold would be a line just as long).
      expect(await sdkGroup.locator('.stack > .frame').allTextContents()).toEqual([
        'at Protocol._onrequest (@modelcontextprotocol/sdk@1.32.2/src/shared/protocol.ts:120:5)',
        'at pad (left-pad/src/index.ts:3:5)',
      ]);

      // Long paths wrap inside their cells: the page never scrolls sideways.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
      const png = join(scratch, 'stacks.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });
});
