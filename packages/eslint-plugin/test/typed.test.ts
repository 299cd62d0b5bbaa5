import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingApi } from '../src/rules/no-blocking-api.js';
import { noSyncFs } from '../src/rules/no-sync-fs.js';
import { noSyncSqlite } from '../src/rules/no-sync-sqlite.js';

// With type information (`typeAware: true`), receivers typed from a blocking module resolve to the
// catalog API, and look-alikes whose call returns a Promise are cleared.
const ruleTester = new RuleTester({
  languageOptions: {
    parserOptions: { project: './tsconfig.json', tsconfigRootDir: fileURLToPath(new URL('fixtures/typed', import.meta.url)) },
  },
});
const typeAware = [{ typeAware: true }] as const;
const fsWhy = 'waits for the file system on the main thread';
const sqliteWhy = 'better-sqlite3 runs every query synchronously on the main thread';

ruleTester.run('no-sync-fs (type-aware)', noSyncFs, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'a look-alike object with its own existsSync',
      options: typeAware,
      code: `
        const io = { existsSync: (p: string) => p.length > 0 };
        export async function f(p: string) {
          return io.existsSync(p);
        }
      `,
    },
    {
      name: 'fs/promises through a typed receiver',
      options: typeAware,
      code: `
        export async function f(io: typeof import('node:fs/promises'), p: string) {
          return io.readFile(p);
        }
      `,
    },
    {
      name: 'without typeAware, a typed parameter is not resolved (syntactic mode)',
      code: `
        export async function f(io: typeof import('node:fs'), p: string) {
          return io.existsSync(p);
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'parameter typed typeof import(node:fs)',
      options: typeAware,
      code: `
        export async function f(io: typeof import('node:fs'), p: string) {
          return io.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', owner: 'async function f', why: fsWhy },
          line: 3, column: 18, endLine: 3, endColumn: 34,
          suggestions: [],
        },
      ],
    },
    {
      name: 'private class field typed typeof fs',
      options: typeAware,
      code: `
        import fs from 'node:fs';
        export class Store {
          constructor(private io: typeof fs) {}
          async has(p: string) {
            return this.io.existsSync(p);
          }
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', owner: 'async method Store.has', why: fsWhy },
          line: 6, column: 20, endLine: 6, endColumn: 41,
          suggestions: [],
        },
      ],
    },
    {
      name: 'class field typed typeof fs',
      options: typeAware,
      code: `
        import fs from 'node:fs';
        export class Store {
          private io: typeof fs = fs;
          async has(p: string) {
            return this.io.existsSync(p);
          }
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', owner: 'async method Store.has', why: fsWhy },
          line: 6, column: 20, endLine: 6, endColumn: 41,
          suggestions: [],
        },
      ],
    },
    {
      name: 'destructured from a typed receiver',
      options: typeAware,
      code: `
        export async function f(io: typeof import('fs'), p: string) {
          const { existsSync } = io;
          return existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', owner: 'async function f', why: fsWhy },
          line: 4, column: 18, endLine: 4, endColumn: 31,
          suggestions: [],
        },
      ],
    },
    {
      name: 'Dir#readSync on an opendirSync result',
      options: typeAware,
      code: `
        import { opendirSync } from 'node:fs';
        const dir = opendirSync('.');
        export async function next() {
          return dir.readSync();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.Dir#readSync', category: 'fs', owner: 'async function next', why: fsWhy },
          line: 5, column: 18, endLine: 5, endColumn: 32,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-sqlite (type-aware)', noSyncSqlite, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'a look-alike prepare on an unrelated type',
      options: typeAware,
      code: `
        const db = { prepare: (sql: string) => sql };
        export async function q() {
          return db.prepare("select 1");
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'better-sqlite3 Database and Statement receivers',
      options: typeAware,
      code: `
        import type Database from 'better-sqlite3';
        export async function count(db: Database.Database) {
          const statement = db.prepare('select count(*) from t');
          return statement.get();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Database#prepare', category: 'sqlite', owner: 'async function count', why: sqliteWhy },
          line: 4, column: 29, endLine: 4, endColumn: 65,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Statement#get', category: 'sqlite', owner: 'async function count', why: sqliteWhy },
          line: 5, column: 18, endLine: 5, endColumn: 33,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-blocking-api (type-aware look-alike clearing)', noBlockingApi, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'a loadSync() that returns a Promise does not block',
      options: [{ typeAware: true, apis: [{ module: './loader.js', export: '*Sync' }] }],
      code: `
        import { loadSync } from './loader.js';
        export async function f() {
          return loadSync();
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'a listed readSync() that returns a value is reported',
      options: [{ typeAware: true, apis: [{ module: './loader.js', export: '*Sync' }] }],
      code: `
        import { readSync } from './loader.js';
        export async function f() {
          return readSync();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: './loader.js.readSync', category: 'user', owner: 'async function f', why: 'listed as blocking in no-blocking-api options' },
          line: 4, column: 18, endLine: 4, endColumn: 28,
          suggestions: [],
        },
      ],
    },
  ],
});
