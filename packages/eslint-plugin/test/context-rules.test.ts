import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

/*
 * The context analysis through a real category rule (no-sync-fs): the same calls are quiet or
 * reported depending only on where they run.
 */
const ruleTester = new RuleTester();
const cjs = { languageOptions: { sourceType: 'commonjs' as const } };
const why = 'waits for the file system on the main thread';

ruleTester.run('no-sync-fs: where it reports', noSyncFs, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'start-up read of the config',
      code: `
        import fs from 'node:fs';
        export const config = JSON.parse(fs.readFileSync('config.json', 'utf8'));
      `,
    },
    {
      name: 'top-level await does not make the top level event-loop code',
      code: `
        import { readFileSync } from 'node:fs';
        await init();
        readFileSync('a');
      `,
    },
    {
      name: 'helper only called at start-up, even in strict',
      options: [{ reachability: true }],
      code: `
        import { readFileSync } from 'node:fs';
        function load() {
          return readFileSync('a');
        }
        export const data = load();
      `,
    },
    {
      name: 'exit handler',
      code: `
        import { writeFileSync } from 'node:fs';
        process.on('exit', () => writeFileSync('state.json', '{}'));
      `,
    },
    {
      name: 'sync prefix of a top-level async IIFE',
      ...cjs,
      code: `
        const fs = require('fs');
        (async () => {
          const cfg = fs.readFileSync('c');
          await start(cfg);
        })();
      `,
    },
    {
      name: 'helper called from async code, without reachability',
      code: `
        import { statSync } from 'node:fs';
        function size(p) {
          return statSync(p).size;
        }
        export async function f(p) {
          return size(p);
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'async tool handler',
      code: `
        import { existsSync } from 'node:fs';
        export async function runTool(p: string) {
          return existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function runTool' },
          line: 4, column: 18, endLine: 4, endColumn: 31,
          suggestions: [],
        },
      ],
    },
    {
      name: "'data' listener in CommonJS",
      ...cjs,
      code: `
        const fs = require('fs');
        process.stdin.on('data', (line) => {
          fs.appendFileSync('log', line);
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.appendFileSync', category: 'fs', why, owner: "'data' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 41,
          suggestions: [],
        },
      ],
    },
    {
      name: 'route handler',
      code: `
        import fs from 'node:fs';
        app.get('/files', (req, res) => {
          res.json(fs.readdirSync('.'));
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.readdirSync', category: 'fs', why, owner: "app.get('/files') handler" },
          line: 4, column: 20, endLine: 4, endColumn: 39,
          suggestions: [],
        },
      ],
    },
    {
      name: 'reachable helper declared after its async caller (strict)',
      options: [{ reachability: true }],
      code: `
        import { statSync } from 'node:fs';
        export async function f(p) {
          return size(p);
        }
        function size(p) {
          return statSync(p).size;
        }
      `,
      errors: [
        {
          messageId: 'blockingInHelper',
          data: { api: 'fs.statSync', category: 'fs', helper: 'size', caller: 'async function f' },
          line: 7, column: 18, endLine: 7, endColumn: 29,
          suggestions: [],
        },
      ],
    },
  ],
});
