import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingApi } from '../src/rules/no-blocking-api.js';

// A team's own blocking APIs, listed as module + export pattern + message (like flake8-async ASYNC200).
const ruleTester = new RuleTester();
const apis = [
  { module: 'legacy-db', export: 'querySync', message: 'use queryAsync() instead' },
  { module: '@acme/storage', export: '*Sync' },
  { module: 'node:os', export: 'cpus' },
  { module: 'config-loader', export: 'default' },
];
// The reason printed for a listed API that brings no message of its own.
const listed = 'listed as blocking in no-blocking-api options';

ruleTester.run('no-blocking-api', noBlockingApi, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'no list, no reports',
      code: `
        import { querySync } from 'legacy-db';
        export async function f() {
          querySync('x');
        }
      `,
    },
    {
      name: 'other exports of a listed module',
      options: [{ apis }],
      code: `
        import { queryAsync } from 'legacy-db';
        export async function f() {
          await queryAsync('x');
        }
      `,
    },
    {
      name: 'start-up use of a listed API',
      options: [{ apis }],
      code: `
        import { querySync } from 'legacy-db';
        export const rows = querySync('x');
      `,
    },
    {
      name: 'the pattern matches a whole segment, not a prefix',
      options: [{ apis }],
      code: `
        import storage from '@acme/storage';
        export async function f() {
          storage.openSyncStream();
        }
      `,
    },
    {
      name: 'allow wins over the list',
      options: [{ apis, allow: ['node:os.cpus'] }],
      code: `
        import os from 'node:os';
        export async function f() {
          os.cpus();
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'named import, with the message from the list',
      options: [{ apis }],
      code: `
        import { querySync } from 'legacy-db';
        export async function f() {
          querySync('x');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'legacy-db.querySync', category: 'user',
            why: 'use queryAsync() instead', owner: 'async function f',
          },
          line: 4, column: 11, endLine: 4, endColumn: 25,
          suggestions: [],
        },
      ],
    },
    {
      name: 'wildcard export pattern through require',
      options: [{ apis }],
      code: `
        const storage = require('@acme/storage');
        export async function f() {
          storage.readBlobSync('k');
          storage.writeSync('k');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: '@acme/storage.readBlobSync', category: 'user', why: listed, owner: 'async function f' },
          line: 4, column: 11, endLine: 4, endColumn: 36,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: '@acme/storage.writeSync', category: 'user', why: listed, owner: 'async function f' },
          line: 5, column: 11, endLine: 5, endColumn: 33,
          suggestions: [],
        },
      ],
    },
    {
      name: 'built-in listed with node: matches without it',
      options: [{ apis }],
      code: `
        import { cpus } from 'os';
        export async function f() {
          return cpus();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'node:os.cpus', category: 'user', why: listed, owner: 'async function f' },
          line: 4, column: 18, endLine: 4, endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: 'default export (the module value) called',
      options: [{ apis }],
      code: `
        import load from 'config-loader';
        export async function f() {
          return load();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'config-loader', category: 'user', why: listed, owner: 'async function f' },
          line: 4, column: 18, endLine: 4, endColumn: 24,
          suggestions: [],
        },
      ],
    },
  ],
});
