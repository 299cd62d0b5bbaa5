import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingHelper } from '../src/rules/no-blocking-helper.js';

// Typed: the program is test/fixtures/typed-project; the code under test is its file.ts, and the
// helpers it calls live in lib/config.ts (reached directly and through a re-exporting lib/index.ts).
// `location` is the helper's declaration in lib/config.ts.
const ruleTester = new RuleTester({
  languageOptions: {
    parserOptions: {
      project: './tsconfig.json',
      tsconfigRootDir: fileURLToPath(new URL('fixtures/typed-project', import.meta.url)),
    },
  },
});

ruleTester.run('no-blocking-helper', noBlockingHelper, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'helper called at start-up',
      code: `
        import { loadConfig } from './lib/config.js';
        export const config = loadConfig('a.json');
      `,
    },
    {
      name: 'a helper that does not block',
      code: `
        import { pure } from './lib/config.js';
        export async function f() {
          return pure(1, 2);
        }
      `,
    },
    {
      name: 'an async helper',
      code: `
        import { loadConfigAsync } from './lib/config.js';
        export async function f() {
          return loadConfigAsync('a');
        }
      `,
    },
    {
      name: 'a helper that only returns a blocking closure',
      code: `
        import { deferredRead } from './lib/config.js';
        export async function f() {
          return deferredRead('a');
        }
      `,
    },
    {
      name: 'randomBytes with a callback does not block',
      code: `
        import { tokenLater } from './lib/config.js';
        export async function f() {
          tokenLater(() => {});
        }
      `,
    },
    {
      name: 'randomBytes(16) in a helper: below the catalog size bound (#18)',
      code: `
        import { token } from './lib/config.js';
        export async function f() {
          return token();
        }
      `,
    },
    {
      name: 'exit handler',
      code: `
        import { loadConfig } from './lib/config.js';
        process.on('exit', () => loadConfig('a'));
      `,
    },
    {
      name: 'depth limit',
      options: [{ maxDepth: 1 }],
      code: `
        import { parseConfig } from './lib/config.js';
        export async function f() {
          return parseConfig('a');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'sync helper of another file calling fs.readFileSync, from an async function',
      code: `
        import { loadConfig } from './lib/config.js';
        export async function runTool(p: string) {
          return loadConfig(p);
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'loadConfig', location: 'lib/config.ts:7', chain: 'loadConfig → fs.readFileSync', blockingCall: 'lib/config.ts:8', owner: 'async function runTool' },
          line: 4, column: 18, endLine: 4, endColumn: 31,
        },
      ],
    },
    {
      name: 'transitively, through a re-export and an arrow helper',
      code: `
        import { parseConfig } from './lib/index.js';
        setTimeout(() => parseConfig('a.json'), 10);
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'parseConfig', location: 'lib/config.ts:11', chain: 'parseConfig → loadConfig → fs.readFileSync', blockingCall: 'lib/config.ts:8', owner: 'setTimeout callback' },
          line: 3, column: 26, endLine: 3, endColumn: 47,
        },
      ],
    },
    {
      name: 'renamed re-export',
      code: `
        import { load } from './lib/index.js';
        export const handler = async () => load('x');
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'loadConfig', location: 'lib/config.ts:7', chain: 'loadConfig → fs.readFileSync', blockingCall: 'lib/config.ts:8', owner: 'async function handler' },
          line: 3, column: 44, endLine: 3, endColumn: 53,
        },
      ],
    },
    {
      name: 'namespace import of the helpers, zlib through a namespace',
      code: `
        import * as lib from './lib/config.js';
        export async function zip(b: Buffer) {
          return lib.compress(b);
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'compress', location: 'lib/config.ts:13', chain: 'compress → zlib.gzipSync', blockingCall: 'lib/config.ts:14', owner: 'async function zip' },
          line: 4, column: 18, endLine: 4, endColumn: 33,
        },
      ],
    },
    {
      name: 'aliased child_process import inside the helper',
      code: `
        import { gitHead } from './lib/config.js';
        export class Agent {
          async step() {
            return gitHead();
          }
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'gitHead', location: 'lib/config.ts:17', chain: 'gitHead → child_process.execSync', blockingCall: 'lib/config.ts:18', owner: 'async method Agent.step' },
          line: 5, column: 20, endLine: 5, endColumn: 29,
        },
      ],
    },
    {
      name: 'blocking call inside an array callback of the helper',
      code: `
        import { allConfigs } from './lib/config.js';
        export async function f(ps: string[]) {
          return allConfigs(ps);
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'allConfigs', location: 'lib/config.ts:21', chain: 'allConfigs → loadConfig → fs.readFileSync', blockingCall: 'lib/config.ts:8', owner: 'async function f' },
          line: 4, column: 18, endLine: 4, endColumn: 32,
        },
      ],
    },
    {
      name: 'method of a class from another file',
      code: `
        import { Store } from './lib/config.js';
        const store = new Store();
        export async function f() {
          return store.read('k');
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'Store.read', location: 'lib/config.ts:48', chain: 'Store.read → fs.readFileSync', blockingCall: 'lib/config.ts:49', owner: 'async function f' },
          line: 5, column: 18, endLine: 5, endColumn: 33,
        },
      ],
    },
    {
      name: 'Atomics.wait global',
      code: `
        import { wait } from './lib/config.js';
        export async function f(b: Int32Array) {
          wait(b);
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: { helper: 'wait', location: 'lib/config.ts:53', chain: 'wait → Atomics.wait', blockingCall: 'lib/config.ts:54', owner: 'async function f' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
        },
      ],
    },
    {
      name: 'from a same-file sync helper that async code calls',
      code: `
        import { loadConfig } from './lib/config.js';
        function read() {
          return loadConfig('a');
        }
        export async function f() {
          return read();
        }
      `,
      errors: [
        {
          messageId: 'blockingHelperInHelper',
          data: { helper: 'loadConfig', location: 'lib/config.ts:7', chain: 'loadConfig → fs.readFileSync', blockingCall: 'lib/config.ts:8', caller: 'read', owner: 'async function f' },
          line: 4, column: 18, endLine: 4, endColumn: 33,
        },
      ],
    },
  ],
});

const untyped = new RuleTester();
untyped.run('no-blocking-helper without type information', noBlockingHelper, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [],
  invalid: [
    {
      name: 'one clear configuration error per file, no crash',
      code: `
        import { loadConfig } from './lib/config.js';
        export async function f() {
          loadConfig('a');
          loadConfig('b');
        }
      `,
      errors: [
        // About the file, not a call: a point at its start (no end), reported once for both calls.
        { messageId: 'needsTypes', line: 1, column: 1 },
      ],
    },
  ],
});
