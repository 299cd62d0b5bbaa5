// What the two servers instructions.js counts (tool-server.mjs, mcp-pipe-server.mjs) share: the agent hooks as the
// preload would install them, and the heap readout.
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * AGENT_HOOKS_MODULE (instructions.js with MONITOR=0): no preload, no monitor; the adapter modes install the hooks
 * here, as the preload would, so their calls are trackRun runs on a tracker that publishes nothing. Before the SDK loads.
 */
export async function installHooksFromEnv() {
  if (process.env.AGENT_HOOKS_MODULE === undefined || process.env.AGENT_LAG_AGENT_HOOKS === '0') return;
  const { installAgentHooks } = await import(pathToFileURL(process.env.AGENT_HOOKS_MODULE).href);
  installAgentHooks();
}

/**
 * instructions.js with GC=outside (node --expose-gc): GET /heap answers the young generation's used bytes, after
 * a young-generation collection with ?gc=1, so the counted requests start on an empty young generation and their
 * allocation is measured. Not a full one: V8 then drops optimised code and the counted requests recompile it.
 * Young only: what the calls allocate goes there, and V8's compiler, whose timing varies run to run, allocates
 * its code and metadata in the old generation.
 */
export function answerHeap(req, res) {
  if (req.url === '/heap?gc=1') globalThis.gc({ type: 'minor' });
  const young = getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);
  res.end(JSON.stringify(young));
}
