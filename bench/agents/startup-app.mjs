// The app of the start-up benchmark: loads no agent SDK (Node's http, and optionally the modules named in
// APP_IMPORTS by import and in APP_REQUIRES by require(), comma-separated absolute paths: an app's own
// dependencies, which every module hook makes slower to load) and says what the monitor left in place:
// requireHook (a require() hook of ours: the gate or require-in-the-middle), hookLibraries (which of
// require-in-the-middle and import-in-the-middle are loaded, not counting the latter's version check),
// and depsMs (how long those modules took to load).
import Module, { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import 'node:http';

const require = createRequire(import.meta.url);
const list = (value) => (value ?? '').split(',').filter(Boolean);
const started = performance.now();
for (const path of list(process.env.APP_IMPORTS)) await import(pathToFileURL(path).href);
for (const path of list(process.env.APP_REQUIRES)) require(path);
const depsMs = performance.now() - started;
const { _cache: cache } = require('node:module');
const hookLibraries = ['require-in-the-middle', 'import-in-the-middle'].filter((name) => Object.keys(cache).some((path) => path.includes(`/node_modules/${name}/`) && !path.endsWith('/supports-sync-hooks.mjs')));
const requireHook = Module.prototype.require.name === 'agentLagRequireGate' || hookLibraries.includes('require-in-the-middle');
console.log(JSON.stringify({ requireHook, hookLibraries, depsMs }));
