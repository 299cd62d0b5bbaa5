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
const blocking = { messageId: 'blocking' as const };

ruleTester.run('no-sync-fs (type-aware)', noSyncFs, {
  valid: [
    { name: 'a look-alike object with its own existsSync', code: 'const io = { existsSync: (p: string) => p.length > 0 };\nexport async function f(p: string) { return io.existsSync(p); }', options: typeAware },
    { name: 'fs/promises through a typed receiver', code: "export async function f(io: typeof import('node:fs/promises'), p: string) { return io.readFile(p); }", options: typeAware },
    { name: 'without typeAware, a typed parameter is not resolved (syntactic mode)', code: "export async function f(io: typeof import('node:fs'), p: string) { return io.existsSync(p); }" },
  ],
  invalid: [
    { name: 'parameter typed typeof import(node:fs)', code: "export async function f(io: typeof import('node:fs'), p: string) { return io.existsSync(p); }", options: typeAware, errors: [blocking] },
    { name: 'private class field typed typeof fs', code: "import fs from 'node:fs';\nexport class Store {\n  constructor(private io: typeof fs) {}\n  async has(p: string) { return this.io.existsSync(p); }\n}", options: typeAware, errors: [blocking] },
    { name: 'class field typed typeof fs', code: "import fs from 'node:fs';\nexport class Store {\n  private io: typeof fs = fs;\n  async has(p: string) { return this.io.existsSync(p); }\n}", options: typeAware, errors: [blocking] },
    { name: 'destructured from a typed receiver', code: "export async function f(io: typeof import('fs'), p: string) { const { existsSync } = io; return existsSync(p); }", options: typeAware, errors: [blocking] },
    { name: 'Dir#readSync on an opendirSync result', code: "import { opendirSync } from 'node:fs';\nconst dir = opendirSync('.');\nexport async function next() { return dir.readSync(); }", options: typeAware, errors: [blocking] },
  ],
});

ruleTester.run('no-sync-sqlite (type-aware)', noSyncSqlite, {
  valid: [
    { name: 'a look-alike prepare on an unrelated type', code: 'const db = { prepare: (sql: string) => sql };\nexport async function q() { return db.prepare("select 1"); }', options: typeAware },
  ],
  invalid: [
    {
      name: 'better-sqlite3 Database and Statement receivers',
      code: "import type Database from 'better-sqlite3';\nexport async function count(db: Database.Database) {\n  const statement = db.prepare('select count(*) from t');\n  return statement.get();\n}",
      options: typeAware,
      errors: [blocking, blocking],
    },
  ],
});

ruleTester.run('no-blocking-api (type-aware look-alike clearing)', noBlockingApi, {
  valid: [
    {
      name: 'a loadSync() that returns a Promise does not block',
      code: "import { loadSync } from './loader.js';\nexport async function f() { return loadSync(); }",
      options: [{ typeAware: true, apis: [{ module: './loader.js', export: '*Sync' }] }],
    },
  ],
  invalid: [
    {
      name: 'a listed readSync() that returns a value is reported',
      code: "import { readSync } from './loader.js';\nexport async function f() { return readSync(); }",
      options: [{ typeAware: true, apis: [{ module: './loader.js', export: '*Sync' }] }],
      errors: [blocking],
    },
  ],
});
