// How long the preload's installAgentHooks() takes in this process's directory, and what it left in place:
// the stat calls that look for the SDKs and, where one is found, the require() gate and the import hook
// (the module hook libraries themselves load only when the app loads an SDK).
// argv[2]: the monitor's dist/agents/hooks.js. Prints one JSON line: ms; requireHook (a require() hook of
// ours is in place: the gate or require-in-the-middle); hookLibraries (which of require-in-the-middle and
// import-in-the-middle are loaded; not counting the latter's supports-sync-hooks.mjs, a version check).
import Module, { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { installAgentHooks } = await import(pathToFileURL(process.argv[2]).href);
const nodeRequire = Module.prototype.require;
const started = performance.now();
installAgentHooks();
const ms = performance.now() - started;
const { _cache: cache } = createRequire(import.meta.url)('node:module');
const hookLibraries = ['require-in-the-middle', 'import-in-the-middle'].filter((name) => Object.keys(cache).some((path) => path.includes(`/node_modules/${name}/`) && !path.endsWith('/supports-sync-hooks.mjs')));
console.log(JSON.stringify({ ms, requireHook: Module.prototype.require !== nodeRequire, hookLibraries }));
