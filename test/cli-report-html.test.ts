import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from './helpers/chromium.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

const eventLog = join(repoRoot, 'test/fixtures/cli/report/events.ndjson');
const recordedLog = join(repoRoot, 'test/fixtures/cli/report/recorded-agent-service.ndjson');
const docsImage = join(repoRoot, 'packages/cli/docs/report.png');
const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-report-html-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(CHROMIUM_PATH === null)('the HTML report in headless Chromium', () => {
  it('renders its charts with data points and tables without fetching anything', async () => {
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
      // 20 lag windows in the log: one point per window for each of p50, p99 and max.
      expect(await page.locator('svg.lag-chart circle.lag-point.p99').count()).toBe(20);
      expect(await page.locator('svg.lag-chart circle.lag-point').count()).toBe(60);
      expect(await page.locator('svg.lag-chart polyline').count()).toBe(3);
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
      expect(await groups.first().textContent()).toContain('sync-tools.js:16:18');

      const screenshot = join(scratch, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
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
      expect(await page.locator('svg.lag-chart circle.lag-point').count()).toBe(15);
      expect(await page.locator('svg.stall-histogram rect.bar').count()).toBe(3);
      expect(await page.locator('details.stack-group').first().textContent()).toContain('child_process.execSync');
      await page.screenshot({ path: join(scratch, 'recorded.png'), fullPage: true });

      expect(errors).toEqual([]);
      expect(requested).toEqual([pathToFileURL(html).href, pathToFileURL(recordedHtml).href]);
    } finally {
      await browser.close();
    }
  });
});
