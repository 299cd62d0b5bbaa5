/*
 * Preload entry: `node --import @agent-lag/runtime-monitor/register app.js` (ESM) or
 * `node -r @agent-lag/runtime-monitor/register app.js` (CJS; Node >= 20.19 requires this ESM file since
 * nothing here awaits at top level). Configured by AGENT_LAG_* variables (see env.ts and the README).
 * Never throws into the host: a problem is one warning and the app runs unmonitored or lag-only.
 */
import { isMainThread } from 'node:worker_threads';
import { installAgentHooks } from './agents/hooks.js';
import { optionsFromEnv } from './env.js';
import { getMonitor, startMonitor } from './monitor.js';
import { warnOnce } from './warnings.js';

// Preloads also run in the app's worker threads (and NODE_OPTIONS reaches child processes, each of which
// gets its own monitor): only a main thread is watched.
if (isMainThread && getMonitor() === null) {
  const { disabled, agentHooks, options, problems } = optionsFromEnv(process.env);
  if (problems.length > 0) warnOnce('AGENT_LAG_ENV', `ignoring ${problems.join('; ')} (defaults used)`);
  // Before the app's first import, so an SDK it loads is patched as it loads (a no-op when none is installed).
  if (!disabled && agentHooks) installAgentHooks();
  if (!disabled) {
    try {
      startMonitor(options);
    } catch (error) {
      warnOnce('AGENT_LAG_NOT_STARTED', `monitor not started: ${(error as Error).message}`);
    }
  }
}
