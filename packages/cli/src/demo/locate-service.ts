import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

/**
 * Where the demo's agent service lives. One copy of its code exists, in the repository's
 * examples/agent-service; `npm pack` copies it into the package as demo-service/ (the CLI's
 * prepack script), so an installed CLI finds it next to dist/, and a checkout finds the original.
 */
const CANDIDATES = [
  new URL('../../demo-service/', import.meta.url),
  new URL('../../../../examples/agent-service/', import.meta.url),
];

const REQUIRED_FILES = ['server.js', 'sync-tools.js', 'async-tools.js'];

export function locateDemoService(): string {
  const dirs = CANDIDATES.map((url) => fileURLToPath(url));
  const found = dirs.find((dir) => REQUIRED_FILES.every((file) => existsSync(`${dir}${file}`)));
  if (!found) {
    throw new UsageError(
      `the demo's agent service is missing from this install of agent-lag (looked in ${dirs.join(' and ')}); reinstall agent-lag`,
    );
  }
  return found.replace(/\/$/, '');
}
