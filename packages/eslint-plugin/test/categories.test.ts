import { RuleTester } from '@typescript-eslint/rule-tester';
import { noAtomicsWait } from '../src/rules/no-atomics-wait.js';
import { noSyncChildProcess } from '../src/rules/no-sync-child-process.js';
import { noSyncCrypto } from '../src/rules/no-sync-crypto.js';
import { noSyncFs } from '../src/rules/no-sync-fs.js';
import { noSyncSqlite } from '../src/rules/no-sync-sqlite.js';
import { noSyncThirdParty } from '../src/rules/no-sync-third-party.js';
import { noSyncZlib } from '../src/rules/no-sync-zlib.js';

// One rule per category: each reports its own APIs and nothing from another category.
const ruleTester = new RuleTester();
const assertionOptions = { requireLocation: true, requireData: true };
// The catalog's reason for each API, as the message prints it after the colon.
const why = {
  fs: 'waits for the file system on the main thread',
  childProcess: 'waits for the child process to exit; nothing else runs meanwhile',
  crypto: 'runs CPU-heavy crypto on the main thread instead of the libuv pool',
  randomBytes: 'without a callback it gathers entropy on the main thread',
  zlib: 'compresses or decompresses on the main thread instead of the libuv pool',
  atomics: 'parks the main thread until notified or timed out (Atomics.waitAsync does not)',
  nodeSqlite: 'every query on a DatabaseSync runs synchronously on the main thread',
  betterSqlite3: 'better-sqlite3 runs every query synchronously on the main thread',
  fsExtra: 'fs-extra sync helpers block on the file system',
  glob: 'walks the directory tree synchronously',
  execa: 'waits for the child process to exit',
  bcrypt: 'runs the deliberately slow bcrypt hash on the main thread',
};

ruleTester.run('no-sync-fs', noSyncFs, {
  assertionOptions,
  valid: [
    {
      name: 'child_process is another category',
      code: `
        import { execSync } from 'node:child_process';
        export async function runTool(input: string) {
          execSync(input);
        }
      `,
    },
    {
      name: 'allow option',
      options: [{ allow: ['fs.existsSync'] }],
      code: `
        import fs from 'node:fs';
        export async function runTool(input: string) {
          fs.existsSync(input);
        }
      `,
    },
    {
      name: 'sync helper not reachable from async code (reachability off)',
      code: `
        import fs from 'node:fs';
        function load() {
          return fs.existsSync('x');
        }
        export async function run() {
          return load();
        }
      `,
    },
  ],
  invalid: [
    {
      name: "an opendirSync Dir's readSync and closeSync, followed without types",
      code: `
        import { opendirSync } from 'node:fs';
        export async function list(path: string) {
          const dir = opendirSync(path);
          for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) console.log(entry.name);
          dir.closeSync();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.opendirSync', category: 'fs', why: why.fs, owner: 'async function list' },
          line: 4, column: 23, endLine: 4, endColumn: 40,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'opendir', module: 'node:fs/promises' },
              output: `
        import { opendirSync } from 'node:fs';
import { opendir } from 'node:fs/promises';
        export async function list(path: string) {
          const dir = await opendir(path);
          for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) console.log(entry.name);
          dir.closeSync();
        }
      `,
            },
          ],
        },
        ...[28, 68].map((column) => ({
          messageId: 'blocking' as const,
          data: { api: 'fs.Dir#readSync', category: 'fs', why: why.fs, owner: 'async function list' },
          line: 5, column, endLine: 5, endColumn: column + 14,
          suggestions: [],
        })),
        {
          messageId: 'blocking',
          data: { api: 'fs.Dir#closeSync', category: 'fs', why: why.fs, owner: 'async function list' },
          line: 6, column: 11, endLine: 6, endColumn: 26,
          suggestions: [],
        },
      ],
    },
    {
      name: 'existsSync has no same-meaning async form: no suggestion',
      code: `
        import fs from 'node:fs';
        export async function runTool(input: string) {
          fs.existsSync(input);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why: why.fs, owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 31,
          suggestions: [],
        },
      ],
    },
    {
      name: 'fs-free names with Sync are found through the catalog only',
      code: `
        import { mkdtempSync, openSync } from 'node:fs';
        export async function runTool(input: string) {
          openSync(input, 'r');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.openSync', category: 'fs', why: why.fs, owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 31,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-child-process', noSyncChildProcess, {
  assertionOptions,
  valid: [
    {
      name: 'async exec is fine',
      code: `
        import { exec } from 'node:child_process';
        export async function runTool(input: string) {
          exec(input, () => {});
        }
      `,
    },
    {
      name: 'spawn is fine',
      code: `
        import cp from 'child_process';
        export async function runTool(input: string) {
          cp.spawn('ls');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'execSync (no suggestion: meanings differ)',
      code: `
        import { execSync } from 'node:child_process';
        export async function runTool(input: string) {
          execSync(input);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.execSync', category: 'child-process',
            why: why.childProcess, owner: 'async function runTool',
          },
          line: 4, column: 11, endLine: 4, endColumn: 26,
          suggestions: [],
        },
      ],
    },
    {
      name: 'execFileSync and spawnSync',
      code: `
        import cp from 'child_process';
        export async function runTool(input: string) {
          cp.execFileSync('git', ['status']);
          cp.spawnSync('ls');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.execFileSync', category: 'child-process',
            why: why.childProcess, owner: 'async function runTool',
          },
          line: 4, column: 11, endLine: 4, endColumn: 45,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.spawnSync', category: 'child-process',
            why: why.childProcess, owner: 'async function runTool',
          },
          line: 5, column: 11, endLine: 5, endColumn: 29,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-crypto', noSyncCrypto, {
  assertionOptions,
  valid: [
    {
      name: 'randomBytes with a callback is async',
      code: `
        import { randomBytes } from 'node:crypto';
        export async function runTool(input: string) {
          randomBytes(16, (err, buf) => {});
        }
      `,
    },
    {
      name: 'randomBytes with a named callback',
      code: `
        import crypto from 'node:crypto';
        export async function runTool(input: string) {
          const done = () => {};
          crypto.randomBytes(16, done);
        }
      `,
    },
    {
      name: 'pbkdf2 with a callback is async',
      code: `
        import crypto from 'node:crypto';
        export async function runTool(input: string) {
          crypto.pbkdf2(input, 's', 1e5, 64, 'sha512', () => {});
        }
      `,
    },
    {
      name: 'createHash is not listed',
      code: `
        import crypto from 'node:crypto';
        export async function runTool(input: string) {
          crypto.createHash('sha256').update(input).digest('hex');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'randomBytes without a callback',
      code: `
        import crypto from 'node:crypto';
        export async function runTool(size: number) {
          crypto.randomBytes(size);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'crypto.randomBytes', category: 'crypto',
            why: why.randomBytes, owner: 'async function runTool',
          },
          line: 4, column: 11, endLine: 4, endColumn: 35,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(crypto.randomBytes)', module: 'node:crypto' },
              output: `
        import crypto from 'node:crypto';
import { promisify } from 'node:util';
        export async function runTool(size: number) {
          await promisify(crypto.randomBytes)(size);
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'generateKeyPairSync: the async form joins the existing import',
      code: `
        import { scryptSync, generateKeyPairSync } from 'node:crypto';
        import { promisify } from 'node:util';
        export async function runTool(input: string) {
          generateKeyPairSync('ed25519');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'crypto.generateKeyPairSync', category: 'crypto',
            why: why.crypto, owner: 'async function runTool',
          },
          line: 5, column: 11, endLine: 5, endColumn: 41,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(generateKeyPair)', module: 'node:crypto' },
              output: `
        import { scryptSync, generateKeyPairSync, generateKeyPair } from 'node:crypto';
        import { promisify } from 'node:util';
        export async function runTool(input: string) {
          await promisify(generateKeyPair)('ed25519');
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'scryptSync and hkdfSync',
      code: `
        import crypto from 'node:crypto';
        export async function runTool(input: string) {
          crypto.scryptSync(input, 's', 64);
          crypto.hkdfSync('sha256', input, 's', 'i', 32);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'crypto.scryptSync', category: 'crypto', why: why.crypto, owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 44,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(crypto.scrypt)', module: 'node:crypto' },
              output: `
        import crypto from 'node:crypto';
import { promisify } from 'node:util';
        export async function runTool(input: string) {
          await promisify(crypto.scrypt)(input, 's', 64);
          crypto.hkdfSync('sha256', input, 's', 'i', 32);
        }
      `,
            },
          ],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.hkdfSync', category: 'crypto', why: why.crypto, owner: 'async function runTool' },
          line: 5, column: 11, endLine: 5, endColumn: 57,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(crypto.hkdf)', module: 'node:crypto' },
              output: `
        import crypto from 'node:crypto';
import { promisify } from 'node:util';
        export async function runTool(input: string) {
          crypto.scryptSync(input, 's', 64);
          await promisify(crypto.hkdf)('sha256', input, 's', 'i', 32);
        }
      `,
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-zlib', noSyncZlib, {
  assertionOptions,
  valid: [
    {
      name: 'stream and callback APIs',
      code: `
        import zlib from 'node:zlib';
        export async function runTool(input: string) {
          zlib.createGzip();
          zlib.gzip(input, () => {});
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'gzipSync and brotliDecompressSync',
      code: `
        import zlib from 'node:zlib';
        export async function runTool(input: string) {
          const a = zlib.gzipSync(input);
          const b = zlib.brotliDecompressSync(a);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'zlib.gzipSync', category: 'zlib', why: why.zlib, owner: 'async function runTool' },
          line: 4, column: 21, endLine: 4, endColumn: 41,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(zlib.gzip)', module: 'node:zlib' },
              output: `
        import zlib from 'node:zlib';
import { promisify } from 'node:util';
        export async function runTool(input: string) {
          const a = await promisify(zlib.gzip)(input);
          const b = zlib.brotliDecompressSync(a);
        }
      `,
            },
          ],
        },
        {
          messageId: 'blocking',
          data: { api: 'zlib.brotliDecompressSync', category: 'zlib', why: why.zlib, owner: 'async function runTool' },
          line: 5, column: 21, endLine: 5, endColumn: 49,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'promisify(zlib.brotliDecompress)', module: 'node:zlib' },
              output: `
        import zlib from 'node:zlib';
import { promisify } from 'node:util';
        export async function runTool(input: string) {
          const a = zlib.gzipSync(input);
          const b = await promisify(zlib.brotliDecompress)(a);
        }
      `,
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('no-atomics-wait', noAtomicsWait, {
  assertionOptions,
  valid: [
    {
      name: 'Atomics.waitAsync does not park the thread',
      code: `
        export async function runTool(input: string) {
          const sab = new Int32Array(new SharedArrayBuffer(4));
          await Atomics.waitAsync(sab, 0, 0).value;
        }
      `,
    },
    {
      name: 'a local named Atomics is not the global',
      code: `
        export async function runTool(input: string) {
          const Atomics = { wait: (..._a: unknown[]) => 0 };
          Atomics.wait(input);
        }
      `,
    },
    {
      name: 'Atomics.notify and store',
      code: `
        export async function runTool(input: string) {
          const sab = new Int32Array(new SharedArrayBuffer(4));
          Atomics.store(sab, 0, 1);
          Atomics.notify(sab, 0);
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'global Atomics.wait',
      code: `
        export async function runTool(input: string) {
          const sab = new Int32Array(new SharedArrayBuffer(4));
          Atomics.wait(sab, 0, 0, 100);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'Atomics.wait', category: 'atomics', why: why.atomics, owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 39,
          suggestions: [],
        },
      ],
    },
    {
      name: 'globalThis.Atomics.wait and a destructured wait',
      code: `
        export async function runTool(input: string) {
          const sab = new Int32Array(new SharedArrayBuffer(4));
          globalThis.Atomics.wait(sab, 0, 0, 1);
          const { wait } = Atomics;
          wait(sab, 0, 0, 1);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'Atomics.wait', category: 'atomics', why: why.atomics, owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 48,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'Atomics.wait', category: 'atomics', why: why.atomics, owner: 'async function runTool' },
          line: 6, column: 11, endLine: 6, endColumn: 29,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-sqlite', noSyncSqlite, {
  assertionOptions,
  valid: [
    {
      name: 'sqlite without node: is not the built-in',
      code: `
        import { DatabaseSync } from 'sqlite';
        export async function runTool(input: string) {
          new DatabaseSync(input);
        }
      `,
    },
    {
      name: 'DatabaseSync at start-up',
      code: `
        import { DatabaseSync } from 'node:sqlite';
        export const db = new DatabaseSync('app.db');
      `,
    },
    {
      name: 'schema and statements prepared at start-up',
      code: `
        import Database from 'better-sqlite3';
        const db = new Database('app.db');
        db.exec('create table if not exists runs (id integer primary key)');
        export const byId = db.prepare('select * from runs where id = ?');
      `,
    },
    {
      name: 'a function of its own this is not the instance',
      code: `
        import Database from 'better-sqlite3';
        export class Store {
          db = new Database('app.db');
          handler() {
            return async function (this: { db: Map<string, string> }) {
              return this.db.get('key');
            };
          }
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'new DatabaseSync from node:sqlite',
      code: `
        import { DatabaseSync } from 'node:sqlite';
        export async function runTool(input: string) {
          const db = new DatabaseSync(input);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'sqlite.DatabaseSync', category: 'sqlite',
            why: why.nodeSqlite, owner: 'async function runTool',
          },
          line: 4, column: 22, endLine: 4, endColumn: 45,
          suggestions: [],
        },
      ],
    },
    {
      name: 'queries on a better-sqlite3 Database and statement made at start-up, followed without types',
      code: `
        import Database from 'better-sqlite3';
        const db = new Database('app.db');
        const byId = db.prepare('select * from runs where id = ?');
        export async function loadRun(id: number) {
          db.exec('delete from runs where done = 1');
          return byId.get(id);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Database#exec', category: 'sqlite', why: why.betterSqlite3, owner: 'async function loadRun' },
          line: 6, column: 11, endLine: 6, endColumn: 53,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Statement#get', category: 'sqlite', why: why.betterSqlite3, owner: 'async function loadRun' },
          line: 7, column: 18, endLine: 7, endColumn: 30,
          suggestions: [],
        },
      ],
    },
    {
      name: 'node:sqlite: a prepare and its query in one chain are two calls',
      code: `
        import { DatabaseSync } from 'node:sqlite';
        const db = new DatabaseSync('app.db');
        export async function countRuns() {
          return db.prepare('select count(*) from runs').get();
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'sqlite.DatabaseSync#prepare', category: 'sqlite', why: why.nodeSqlite, owner: 'async function countRuns' },
          line: 5, column: 18, endLine: 5, endColumn: 57,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'sqlite.StatementSync#get', category: 'sqlite', why: why.nodeSqlite, owner: 'async function countRuns' },
          line: 5, column: 18, endLine: 5, endColumn: 63,
          suggestions: [],
        },
      ],
    },
    {
      name: 'a Database kept on the instance: a private field, a statement assigned in the constructor',
      code: `
        import Database from 'better-sqlite3';
        export class RunStore {
          #db = Database('runs.db');
          private readonly insert;
          constructor() {
            this.insert = this.#db.prepare('insert into runs values (?)');
          }
          async save(run: string) {
            this.#db.pragma('optimize');
            return this.insert.run(run);
          }
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Database#pragma', category: 'sqlite', why: why.betterSqlite3, owner: 'async method RunStore.save' },
          line: 10, column: 13, endLine: 10, endColumn: 40,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'better-sqlite3.Statement#run', category: 'sqlite', why: why.betterSqlite3, owner: 'async method RunStore.save' },
          line: 11, column: 20, endLine: 11, endColumn: 40,
          suggestions: [],
        },
      ],
    },
    {
      name: 'new better-sqlite3 Database',
      code: `
        import Database from 'better-sqlite3';
        export async function runTool(input: string) {
          const db = new Database(input);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'better-sqlite3.Database', category: 'sqlite',
            why: why.betterSqlite3, owner: 'async function runTool',
          },
          line: 4, column: 22, endLine: 4, endColumn: 41,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-third-party', noSyncThirdParty, {
  assertionOptions,
  valid: [
    {
      name: 'fs-extra async API',
      code: `
        import fse from 'fs-extra';
        export async function runTool(input: string) {
          await fse.readJson(input);
        }
      `,
    },
    {
      name: 'glob async',
      code: `
        import { glob } from 'glob';
        export async function runTool(input: string) {
          await glob('**/*.ts');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'fs-extra readJsonSync',
      code: `
        import fse from 'fs-extra';
        export async function runTool(input: string) {
          fse.readJsonSync(input);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'fs-extra.readJsonSync', category: 'third-party',
            why: why.fsExtra, owner: 'async function runTool',
          },
          line: 4, column: 11, endLine: 4, endColumn: 34,
          suggestions: [],
        },
      ],
    },
    {
      name: 'glob.sync, globSync, fast-glob .sync',
      code: `
        import { glob, globSync } from 'glob';
        import fg from 'fast-glob';
        export async function runTool(input: string) {
          glob.sync('*');
          globSync('*');
          fg.sync('*');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'glob.glob.sync', category: 'third-party', why: why.glob, owner: 'async function runTool' },
          line: 5, column: 11, endLine: 5, endColumn: 25,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'glob.globSync', category: 'third-party', why: why.glob, owner: 'async function runTool' },
          line: 6, column: 11, endLine: 6, endColumn: 24,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'fast-glob.sync', category: 'third-party', why: why.glob, owner: 'async function runTool' },
          line: 7, column: 11, endLine: 7, endColumn: 23,
          suggestions: [],
        },
      ],
    },
    {
      name: 'execa execaSync and bcrypt hashSync',
      code: `
        import { execaSync } from 'execa';
        import bcrypt from 'bcrypt';
        export async function runTool(input: string) {
          execaSync('ls');
          bcrypt.hashSync(input, 10);
          bcrypt.compareSync(input, 'h');
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'execa.execaSync', category: 'third-party', why: why.execa, owner: 'async function runTool' },
          line: 5, column: 11, endLine: 5, endColumn: 26,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'bcrypt.hashSync', category: 'third-party', why: why.bcrypt, owner: 'async function runTool' },
          line: 6, column: 11, endLine: 6, endColumn: 37,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: {
            api: 'bcrypt.compareSync', category: 'third-party',
            why: why.bcrypt, owner: 'async function runTool',
          },
          line: 7, column: 11, endLine: 7, endColumn: 41,
          suggestions: [],
        },
      ],
    },
  ],
});
