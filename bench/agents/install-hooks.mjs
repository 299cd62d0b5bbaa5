// How long the preload's installAgentHooks() takes in this process's directory, and whether it installed
// the require() hook: the stat calls that look for the SDKs, and, where one is found, the hooks themselves.
// argv[2]: the monitor's dist/agents/hooks.js. Prints one JSON line.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { installAgentHooks } = await import(pathToFileURL(process.argv[2]).href);
const started = performance.now();
installAgentHooks();
const ms = performance.now() - started;
const { _cache: cache } = createRequire(import.meta.url)('node:module');
console.log(JSON.stringify({ ms, requireHook: Object.keys(cache).some((path) => path.includes('require-in-the-middle')) }));
