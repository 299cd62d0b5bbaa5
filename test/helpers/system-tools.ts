import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/*
 * Optional system tools some tests drive for real (Chromium renders the HTML report, tmux hosts `watch`).
 * A new user's machine may lack them: those tests are skipped with one line saying what is missing and how
 * to get it. CI sets AGENT_LAG_REQUIRE_SYSTEM_TOOLS=1 (.ci/run installs them), and a missing tool then fails
 * the suite instead of skipping silently.
 */

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's path: `envVar` if set, else the first `name` on PATH; null when missing. */
export function findSystemTool(name: string, envVar: string): string | null {
  const configured = process.env[envVar];
  if (configured !== undefined && configured !== '') return executable(configured) ? configured : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * The tool's path, or null after saying once why the tests that need it are skipped. Throws instead when
 * AGENT_LAG_REQUIRE_SYSTEM_TOOLS=1 (CI must run every test).
 */
export function systemToolOrSkip(name: string, envVar: string, install: string): string | null {
  const found = findSystemTool(name, envVar);
  if (found !== null) return found;
  const why = `${name} not found on PATH (or ${envVar}): the tests that need it are skipped; install it with \`${install}\``;
  if (process.env.AGENT_LAG_REQUIRE_SYSTEM_TOOLS === '1') throw new Error(`${why} (AGENT_LAG_REQUIRE_SYSTEM_TOOLS=1: CI must run them)`);
  process.stderr.write(`[skip] ${why}\n`);
  return null;
}
