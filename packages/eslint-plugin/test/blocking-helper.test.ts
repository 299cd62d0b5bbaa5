import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingHelper } from '../src/rules/no-blocking-helper.js';

// Typed: the program is test/fixtures/typed-project; the code under test is its file.ts, and the
// helpers it calls live in lib/config.ts (reached directly and through a re-exporting lib/index.ts).
const ruleTester = new RuleTester({
  languageOptions: {
    parserOptions: {
      project: './tsconfig.json',
      tsconfigRootDir: fileURLToPath(new URL('fixtures/typed-project', import.meta.url)),
    },
  },
});

const helper = (name: string, line: number, api: string, owner: string, via = '') => ({
  messageId: 'blockingHelper' as const,
  data: { helper: name, location: `lib/config.ts:${line}`, api, via, owner },
});

ruleTester.run('no-blocking-helper', noBlockingHelper, {
  valid: [
    { name: 'helper called at start-up', code: "import { loadConfig } from './lib/config.js';\nexport const config = loadConfig('a.json');" },
    { name: 'a helper that does not block', code: "import { pure } from './lib/config.js';\nexport async function f() { return pure(1, 2); }" },
    { name: 'an async helper', code: "import { loadConfigAsync } from './lib/config.js';\nexport async function f() { return loadConfigAsync('a'); }" },
    { name: 'a helper that only returns a blocking closure', code: "import { deferredRead } from './lib/config.js';\nexport async function f() { return deferredRead('a'); }" },
    { name: 'randomBytes with a callback does not block', code: "import { tokenLater } from './lib/config.js';\nexport async function f() { tokenLater(() => {}); }" },
    { name: 'exit handler', code: "import { loadConfig } from './lib/config.js';\nprocess.on('exit', () => loadConfig('a'));" },
    { name: 'depth limit', options: [{ maxDepth: 1 }], code: "import { parseConfig } from './lib/config.js';\nexport async function f() { return parseConfig('a'); }" },
  ],
  invalid: [
    {
      name: 'sync helper of another file calling fs.readFileSync, from an async function',
      code: "import { loadConfig } from './lib/config.js';\nexport async function runTool(p: string) { return loadConfig(p); }",
      errors: [helper('loadConfig', 7, 'fs.readFileSync', 'async function runTool')],
    },
    {
      name: 'transitively, through a re-export and an arrow helper',
      code: "import { parseConfig } from './lib/index.js';\nsetTimeout(() => parseConfig('a.json'), 10);",
      errors: [helper('parseConfig', 11, 'fs.readFileSync', 'setTimeout callback', ' (via loadConfig)')],
    },
    {
      name: 'renamed re-export',
      code: "import { load } from './lib/index.js';\nexport const handler = async () => load('x');",
      errors: [helper('loadConfig', 7, 'fs.readFileSync', 'async function handler')],
    },
    {
      name: 'namespace import of the helpers, zlib through a namespace',
      code: "import * as lib from './lib/config.js';\nexport async function zip(b: Buffer) { return lib.compress(b); }",
      errors: [helper('compress', 13, 'zlib.gzipSync', 'async function zip')],
    },
    {
      name: 'aliased child_process import inside the helper',
      code: "import { gitHead } from './lib/config.js';\nexport class Agent { async step() { return gitHead(); } }",
      errors: [helper('gitHead', 17, 'child_process.execSync', 'async method Agent.step')],
    },
    {
      name: 'blocking call inside an array callback of the helper',
      code: "import { allConfigs } from './lib/config.js';\nexport async function f(ps: string[]) { return allConfigs(ps); }",
      errors: [helper('allConfigs', 21, 'fs.readFileSync', 'async function f', ' (via loadConfig)')],
    },
    {
      name: 'randomBytes without a callback',
      code: "import { token } from './lib/config.js';\nexport async function f() { return token(); }",
      errors: [helper('token', 25, 'crypto.randomBytes', 'async function f')],
    },
    {
      name: 'method of a class from another file',
      code: "import { Store } from './lib/config.js';\nconst store = new Store();\nexport async function f() { return store.read('k'); }",
      errors: [helper('Store.read', 48, 'fs.readFileSync', 'async function f')],
    },
    {
      name: 'Atomics.wait global',
      code: "import { wait } from './lib/config.js';\nexport async function f(b: Int32Array) { wait(b); }",
      errors: [helper('wait', 53, 'Atomics.wait', 'async function f')],
    },
    {
      name: 'from a same-file sync helper that async code calls',
      code: "import { loadConfig } from './lib/config.js';\nfunction read() { return loadConfig('a'); }\nexport async function f() { return read(); }",
      errors: [
        {
          messageId: 'blockingHelperInHelper',
          data: { helper: 'loadConfig', location: 'lib/config.ts:7', api: 'fs.readFileSync', via: '', caller: 'read', owner: 'async function f' },
        },
      ],
    },
  ],
});

const untyped = new RuleTester();
untyped.run('no-blocking-helper without type information', noBlockingHelper, {
  valid: [],
  invalid: [
    {
      name: 'one clear configuration error per file, no crash',
      code: "import { loadConfig } from './lib/config.js';\nexport async function f() { loadConfig('a'); loadConfig('b'); }",
      errors: [{ messageId: 'needsTypes', line: 1, column: 1 }],
    },
  ],
});
