import { RuleTester } from '@typescript-eslint/rule-tester';
import { contextProbe } from './context-probe.js';

/*
 * The context analysis as a spec: each `block()` call below is reported with where it runs.
 * Valid cases are start-up code (not reported). See docs/context.md for the decision table.
 */
const ruleTester = new RuleTester();
const cjs = { languageOptions: { sourceType: 'commonjs' as const } };
const js = (code: string) => ({ code, filename: 'file.js' });
const at = (where: string) => ({ messageId: 'where' as const, data: { where } });

ruleTester.run('context: start-up code', contextProbe, {
  valid: [
    { name: 'module top level', code: 'block();' },
    { name: 'top-level await is still start-up', code: 'await setup(); block();' },
    { name: 'sync function called only from top level', code: 'function load() { block(); } load();' },
    { name: 'sync function never called in the file (exported helper)', code: 'export function load() { return block(); }' },
    { name: 'IIFE at top level', code: '(function () { block(); })();' },
    { name: 'arrow IIFE at top level', code: '(() => block())();' },
    { name: '.call IIFE at top level', code: '(function () { block(); }).call(this);' },
    { name: 'class static initialiser', code: 'class Config { static data = block(); }' },
    { name: 'class static block', code: 'class Config { static { block(); } }' },
    { name: 'instance field initialiser of a class built at start-up', code: 'class Store { data = block(); } new Store();' },
    { name: 'sync method', code: 'class Agent { load() { return block(); } }' },
    { name: 'array iteration at top level runs immediately', code: '[1, 2].forEach(() => block());' },
    { name: 'new Promise executor at top level runs immediately', code: 'new Promise((resolve) => resolve(block()));' },
    { name: 'sync prefix of an async IIFE at start-up', code: '(async () => { const cfg = block(); await serve(cfg); })();' },
    { name: 'async main called only from the top level (CommonJS top-level await)', ...cjs, code: 'async function main() { block(); await listen(); block(); }\nmain().catch(console.error);' },
    { name: 'const async start called only from the top level', code: 'const start = async () => { block(); };\nvoid start();' },
    { name: 'CommonJS top level', ...cjs, code: "const fs = require('fs'); block(); module.exports = function load() { block(); };" },
    { name: 'JavaScript module top level', ...js('block(); export const x = block();') },
    { name: 'object literal method not passed anywhere', code: 'const tools = { load() { return block(); } };' },
    { name: 'Object.assign only stores methods', code: 'Object.assign(exports, { load() { return block(); } });' },
    { name: 'TS namespace body', code: 'namespace Config { export const data = block(); }' },
  ],
  invalid: [],
});

ruleTester.run('context: async functions', contextProbe, {
  valid: [],
  invalid: [
    { name: 'async function declaration', code: 'async function runTool() { block(); }', errors: [at('event-loop: async function runTool')] },
    { name: 'await of a sync call still blocks', code: 'async function runTool() { await block(); }', errors: [at('event-loop: async function runTool')] },
    { name: 'async arrow in a const', code: 'const runTool = async () => block();', errors: [at('event-loop: async function runTool')] },
    { name: 'async function expression', code: 'const f = async function named() { block(); };', errors: [at('event-loop: async function named')] },
    { name: 'async method', code: 'class Agent { async step() { block(); } }', errors: [at('event-loop: async method Agent.step')] },
    { name: 'async private method', code: 'class Agent { async #step() { block(); } }', errors: [at('event-loop: async method Agent.#step')] },
    { name: 'async class field arrow', code: 'class Agent { step = async () => { block(); }; }', errors: [at('event-loop: async method Agent.step')] },
    { name: 'async object method', code: 'const tools = { async read() { block(); } };', errors: [at('event-loop: async method tools.read')] },
    { name: 'async generator', code: 'async function* stream() { yield block(); }', errors: [at('event-loop: async generator function stream')] },
    { name: 'async generator method', code: 'class Agent { async *events() { yield block(); } }', errors: [at('event-loop: async generator method Agent.events')] },
    { name: 'default-exported anonymous async function', code: 'export default async function () { block(); }', errors: [at('event-loop: async function default export')] },
    { name: 'CommonJS exports assignment', ...cjs, code: 'exports.handler = async (event) => block();', errors: [at('event-loop: async function exports.handler')] },
    { name: 'an exported async function may be called by anyone', code: 'export async function main() { block(); }\nmain();', errors: [at('event-loop: async function main')] },
    { name: 'an async function also used as a callback', code: "async function main() { block(); }\nmain();\nprocess.on('SIGHUP', main);", errors: [at('event-loop: async function main')] },
    { name: 'an async function called from a handler', code: "async function reload() { block(); }\nreload();\nserver.on('request', () => reload());", errors: [at('event-loop: async function reload')] },
    { name: 'sync callback of array iteration inherits', code: 'async function all(files) { files.map((f) => block(f)); }', errors: [at('event-loop: async function all')] },
    { name: 'new Promise executor inside async code inherits', code: 'async function run() { return new Promise((resolve) => resolve(block())); }', errors: [at('event-loop: async function run')] },
    { name: 'sync function nested in async code', code: 'async function run() { function inner() { block(); } inner(); }', errors: [at('event-loop: async function run')] },
    { name: 'after the first await of an async IIFE', code: '(async () => { await ready(); block(); })();', errors: [at('event-loop: async IIFE')] },
    { name: 'a loop that awaits runs later iterations on the loop', code: '(async () => { for (const x of xs) { block(); await next(); } })();', errors: [at('event-loop: async IIFE')] },
    { name: 'in a class declared inside async code', code: 'async function make() { return class { static x = block(); }; }', errors: [at('event-loop: async function make')] },
    { name: 'TS wrappers do not hide the function', code: 'const run = (async () => { block(); }) as () => Promise<void>;', errors: [at('event-loop: async function run')] },
  ],
});

ruleTester.run('context: callbacks passed to calls are deferred', contextProbe, {
  valid: [],
  invalid: [
    { name: 'setTimeout', code: 'setTimeout(() => block(), 10);', errors: [at('event-loop: setTimeout callback')] },
    { name: 'setImmediate', code: 'setImmediate(function () { block(); });', errors: [at('event-loop: setImmediate callback')] },
    { name: 'queueMicrotask', code: 'queueMicrotask(() => block());', errors: [at('event-loop: queueMicrotask callback')] },
    { name: 'process.nextTick', code: 'process.nextTick(() => block());', errors: [at('event-loop: process.nextTick callback')] },
    { name: 'emitter listener', code: "stream.on('data', (chunk) => block(chunk));", errors: [at("event-loop: 'data' listener")] },
    { name: 'once listener', code: "server.once('listening', () => block());", errors: [at("event-loop: 'listening' listener")] },
    { name: 'process signal handler', code: "process.on('SIGTERM', () => block());", errors: [at("event-loop: 'SIGTERM' listener")] },
    { name: 'http.createServer', code: "import http from 'node:http'; http.createServer((req, res) => { block(); });", errors: [at('event-loop: http.createServer callback')] },
    { name: 'route handler', code: "app.get('/tools', (req, res) => { block(); });", errors: [at("event-loop: app.get('/tools') handler")] },
    { name: 'a method named like a route whose first argument is no path', code: "session.post('Profiler.stop', (err, res) => { block(); });", errors: [at('event-loop: session.post callback')] },
    { name: 'async route handler', code: "router.post('/run', async (req, res) => { block(); });", errors: [at("event-loop: router.post('/run') handler")] },
    { name: '.then callback', code: 'load().then((x) => block(x));', errors: [at('event-loop: .then callback')] },
    { name: '.catch callback', code: 'load().catch(() => block());', errors: [at('event-loop: .catch callback')] },
    { name: 'bound function passed as a listener', code: "emitter.on('tick', function () { block(); }.bind(this));", errors: [at("event-loop: 'tick' listener")] },
    { name: 'unknown API: functions handed over are called later', code: 'schedule(() => block());', errors: [at('event-loop: schedule callback')] },
    { name: 'array iteration inside a deferred callback inherits it', code: 'setInterval(() => { items.forEach((i) => block(i)); }, 1000);', errors: [at('event-loop: setInterval callback')] },
    { name: 'object method passed to a constructor', code: 'new Transform({ transform(chunk, enc, cb) { cb(null, block(chunk)); } });', errors: [at('event-loop: transform() passed to new Transform')] },
    { name: 'listener registered in a sync setup function', code: "function setup(server) { server.on('request', () => block()); } setup(s);", errors: [at("event-loop: 'request' listener")] },
    { name: 'on* handler property', code: 'ws.onmessage = (event) => block(event);', errors: [at('event-loop: ws.onmessage handler')] },
    { name: 'CommonJS', ...cjs, code: "const http = require('http'); http.createServer(function (req, res) { block(); }).listen(3000);", errors: [at('event-loop: http.createServer callback')] },
    {
      name: 'TSX: a hook callback is deferred, the component body is not',
      filename: 'file.tsx',
      code: 'export function App() { const data = block(); useEffect(() => { block(); }); return <div>{data}</div>; }',
      errors: [at('event-loop: useEffect callback')],
    },
    { name: 'JavaScript ESM', ...js("import { setTimeout as wait } from 'node:timers'; wait(() => block());"), errors: [at('event-loop: wait callback')] },
  ],
});

ruleTester.run('context: exempt code', contextProbe, {
  valid: [],
  invalid: [
    { name: "process.on('exit') must be synchronous", code: "process.on('exit', () => block());", errors: [at("exempt: process.on('exit') handler")] },
    { name: "process.once('exit')", code: "process.once('exit', function () { block(); });", errors: [at("exempt: process.once('exit') handler")] },
  ],
});
