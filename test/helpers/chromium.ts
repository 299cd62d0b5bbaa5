import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

import { systemToolOrSkip } from './system-tools.js';

/**
 * Debian's Chromium (the browser cannot be downloaded here; .ci/run installs the package), found on PATH or
 * at AGENT_LAG_CHROMIUM; null (the test skipped, one line saying why) when missing.
 */
export const CHROMIUM_PATH = systemToolOrSkip('chromium', 'AGENT_LAG_CHROMIUM', 'sudo apt-get install chromium');

export interface HeadlessBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile and nothing that phones home, so a page that tries to fetch
 * anything shows up in the test rather than in the network. Close it in `finally`.
 */
export async function launchChromium(viewport = { width: 1000, height: 900 }): Promise<HeadlessBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'agent-lag-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH ?? 'chromium',
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
