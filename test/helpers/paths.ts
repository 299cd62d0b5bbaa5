import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI launcher, as `npx agent-lag` runs it. */
export const cliBin = fileURLToPath(new URL('../../packages/cli/bin/agent-lag.js', import.meta.url));
