import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// Suggestions (never autofix) replace a blocking call with its async equivalent, only where the
// meaning is the same and the call sits directly in an async function.
const ruleTester = new RuleTester();
const why = 'waits for the file system on the main thread';

ruleTester.run('no-sync-fs suggestions', noSyncFs, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [],
  invalid: [
    {
      name: 'named import: adds the fs/promises import after the last import',
      code: `
        import { readFileSync } from 'node:fs';
        async function load(p: string) {
          return readFileSync(p, 'utf8');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 4, column: 18, endLine: 4, endColumn: 41,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'readFile', module: 'node:fs/promises' },
              output: `
        import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
        async function load(p: string) {
          return await readFile(p, 'utf8');
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'member call on the module: parenthesises when the result is used as an object',
      code: `
        import fs from 'node:fs';
        async function load(p: string) {
          return fs.readFileSync(p).toString();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 4, column: 18, endLine: 4, endColumn: 36,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'readFile', module: 'node:fs/promises' },
              output: `
        import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
        async function load(p: string) {
          return (await readFile(p)).toString();
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'reuses an existing fs/promises import',
      code: `
        import fs from 'fs';
        import { writeFile as write } from 'fs/promises';
        export const run = async (p: string) => {
          fs.writeFileSync(p, 'x');
          await write(p, 'y');
        };
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: 'async function run' },
          line: 5, column: 11, endLine: 5, endColumn: 35,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'write', module: 'node:fs/promises' },
              output: `
        import fs from 'fs';
        import { writeFile as write } from 'fs/promises';
        export const run = async (p: string) => {
          await write(p, 'x');
          await write(p, 'y');
        };
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'already awaited: no second await',
      code: `
        import fs from 'node:fs';
        async function list(dir: string) {
          return await fs.readdirSync(dir);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readdirSync', category: 'fs', why, owner: 'async function list' },
          line: 4, column: 24, endLine: 4, endColumn: 43,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'readdir', module: 'node:fs/promises' },
              output: `
        import fs from 'node:fs';
import { readdir } from 'node:fs/promises';
        async function list(dir: string) {
          return await readdir(dir);
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'statSync in an async method, keeping type arguments out',
      code: `
        import { statSync } from 'node:fs';
        class Tools {
          async size(p: string) {
            return statSync(p).size + 1;
          }
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.statSync', category: 'fs', why, owner: 'async method Tools.size' },
          line: 5, column: 20, endLine: 5, endColumn: 31,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'stat', module: 'node:fs/promises' },
              output: `
        import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
        class Tools {
          async size(p: string) {
            return (await stat(p)).size + 1;
          }
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'no suggestion in a sync callback inside async code (it cannot await)',
      code: `
        import fs from 'node:fs';
        async function all(ps: string[]) {
          return ps.map((p) => fs.readFileSync(p));
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function all' },
          line: 4, column: 32, endLine: 4, endColumn: 50,
          suggestions: [],
        },
      ],
    },
    {
      name: 'no suggestion when the async name is already taken by something else',
      code: `
        import fs from 'node:fs';
        const readFile = 1;
        async function load(p: string) {
          return fs.readFileSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 5, column: 18, endLine: 5, endColumn: 36,
          suggestions: [],
        },
      ],
    },
    {
      name: 'no suggestion for an optional call or a value use',
      code: `
        import fs from 'node:fs';
        async function load(p: string) {
          fs.readFileSync?.(p);
          [p].map(fs.readFileSync);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 4, column: 11, endLine: 4, endColumn: 31,
          suggestions: [],
        },
        {
          messageId: 'blockingValue',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 5, column: 11, endLine: 5, endColumn: 35,
          suggestions: [],
        },
      ],
    },
    {
      name: 'CommonJS: adds a destructured require',
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        const fs = require('fs');
        async function load(p) {
          return fs.readFileSync(p, 'utf8');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readFileSync', category: 'fs', why, owner: 'async function load' },
          line: 4, column: 18, endLine: 4, endColumn: 44,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'readFile', module: 'node:fs/promises' },
              output: `
        const fs = require('fs');
const { readFile } = require('node:fs/promises');
        async function load(p) {
          return await readFile(p, 'utf8');
        }
      `,
            },
          ],
        },
      ],
    },
  ],
});
