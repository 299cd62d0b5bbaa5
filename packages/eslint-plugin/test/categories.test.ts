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
const handler = (header: string, body: string) => `${header}\nexport async function runTool(input: string) {\n${body}\n}`;
const blocking = { messageId: 'blocking' as const };

ruleTester.run('no-sync-fs', noSyncFs, {
  valid: [
    { name: 'child_process is another category', code: handler("import { execSync } from 'node:child_process';", 'execSync(input);') },
    { name: 'allow option', code: handler("import fs from 'node:fs';", 'fs.existsSync(input);'), options: [{ allow: ['fs.existsSync'] }] },
    { name: 'sync helper not reachable from async code (reachability off)', code: "import fs from 'node:fs';\nfunction load() { return fs.existsSync('x'); }\nexport async function run() { return load(); }" },
  ],
  invalid: [
    { name: 'existsSync has no same-meaning async form: no suggestion', code: handler("import fs from 'node:fs';", 'fs.existsSync(input);'), errors: [{ ...blocking, suggestions: [] }] },
    { name: 'fs-free names with Sync are found through the catalog only', code: handler("import { mkdtempSync, openSync } from 'node:fs';", "openSync(input, 'r');"), errors: [blocking] },
  ],
});

ruleTester.run('no-sync-child-process', noSyncChildProcess, {
  valid: [
    { name: 'async exec is fine', code: handler("import { exec } from 'node:child_process';", 'exec(input, () => {});') },
    { name: 'spawn is fine', code: handler("import cp from 'child_process';", "cp.spawn('ls');") },
  ],
  invalid: [
    { name: 'execSync (no suggestion: meanings differ)', code: handler("import { execSync } from 'node:child_process';", 'execSync(input);'), errors: [{ ...blocking, suggestions: [] }] },
    { name: 'execFileSync and spawnSync', code: handler("import cp from 'child_process';", "cp.execFileSync('git', ['status']);\ncp.spawnSync('ls');"), errors: [blocking, blocking] },
  ],
});

ruleTester.run('no-sync-crypto', noSyncCrypto, {
  valid: [
    { name: 'randomBytes with a callback is async', code: handler("import { randomBytes } from 'node:crypto';", 'randomBytes(16, (err, buf) => {});') },
    { name: 'randomBytes with a named callback', code: handler("import crypto from 'node:crypto';", 'const done = () => {};\ncrypto.randomBytes(16, done);') },
    { name: 'pbkdf2 with a callback is async', code: handler("import crypto from 'node:crypto';", "crypto.pbkdf2(input, 's', 1e5, 64, 'sha512', () => {});") },
    { name: 'createHash is not listed', code: handler("import crypto from 'node:crypto';", "crypto.createHash('sha256').update(input).digest('hex');") },
  ],
  invalid: [
    { name: 'randomBytes without a callback', code: handler("import crypto from 'node:crypto';", 'crypto.randomBytes(16);'), errors: [{ ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import crypto from 'node:crypto';\nimport { promisify } from 'node:util';", 'await promisify(crypto.randomBytes)(16);') }] }] },
    { name: 'generateKeyPairSync: the async form joins the existing import', code: handler("import { scryptSync, generateKeyPairSync } from 'node:crypto';\nimport { promisify } from 'node:util';", "generateKeyPairSync('ed25519');"), errors: [{ ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import { scryptSync, generateKeyPairSync, generateKeyPair } from 'node:crypto';\nimport { promisify } from 'node:util';", "await promisify(generateKeyPair)('ed25519');") }] }] },
    { name: 'scryptSync and hkdfSync', code: handler("import crypto from 'node:crypto';", "crypto.scryptSync(input, 's', 64);\ncrypto.hkdfSync('sha256', input, 's', 'i', 32);"), errors: [{ ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import crypto from 'node:crypto';\nimport { promisify } from 'node:util';", "await promisify(crypto.scrypt)(input, 's', 64);\ncrypto.hkdfSync('sha256', input, 's', 'i', 32);") }] }, { ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import crypto from 'node:crypto';\nimport { promisify } from 'node:util';", "crypto.scryptSync(input, 's', 64);\nawait promisify(crypto.hkdf)('sha256', input, 's', 'i', 32);") }] }] },
  ],
});

ruleTester.run('no-sync-zlib', noSyncZlib, {
  valid: [{ name: 'stream and callback APIs', code: handler("import zlib from 'node:zlib';", 'zlib.createGzip();\nzlib.gzip(input, () => {});') }],
  invalid: [
    { name: 'gzipSync and brotliDecompressSync', code: handler("import zlib from 'node:zlib';", 'const a = zlib.gzipSync(input);\nconst b = zlib.brotliDecompressSync(a);'), errors: [{ ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import zlib from 'node:zlib';\nimport { promisify } from 'node:util';", 'const a = await promisify(zlib.gzip)(input);\nconst b = zlib.brotliDecompressSync(a);') }] }, { ...blocking, suggestions: [{ messageId: 'useAsyncEquivalent', output: handler("import zlib from 'node:zlib';\nimport { promisify } from 'node:util';", 'const a = zlib.gzipSync(input);\nconst b = await promisify(zlib.brotliDecompress)(a);') }] }] },
  ],
});

ruleTester.run('no-atomics-wait', noAtomicsWait, {
  valid: [
    { name: 'Atomics.waitAsync does not park the thread', code: handler('', 'const sab = new Int32Array(new SharedArrayBuffer(4));\nawait Atomics.waitAsync(sab, 0, 0).value;') },
    { name: 'a local named Atomics is not the global', code: handler('', 'const Atomics = { wait: (..._a: unknown[]) => 0 };\nAtomics.wait(input);') },
    { name: 'Atomics.notify and store', code: handler('', 'const sab = new Int32Array(new SharedArrayBuffer(4));\nAtomics.store(sab, 0, 1);\nAtomics.notify(sab, 0);') },
  ],
  invalid: [
    { name: 'global Atomics.wait', code: handler('', 'const sab = new Int32Array(new SharedArrayBuffer(4));\nAtomics.wait(sab, 0, 0, 100);'), errors: [{ ...blocking, suggestions: [] }] },
    { name: 'globalThis.Atomics.wait and a destructured wait', code: handler('', "const sab = new Int32Array(new SharedArrayBuffer(4));\nglobalThis.Atomics.wait(sab, 0, 0, 1);\nconst { wait } = Atomics;\nwait(sab, 0, 0, 1);"), errors: [blocking, blocking] },
  ],
});

ruleTester.run('no-sync-sqlite', noSyncSqlite, {
  valid: [
    { name: 'sqlite without node: is not the built-in', code: handler("import { DatabaseSync } from 'sqlite';", 'new DatabaseSync(input);') },
    { name: 'DatabaseSync at start-up', code: "import { DatabaseSync } from 'node:sqlite';\nexport const db = new DatabaseSync('app.db');" },
  ],
  invalid: [
    { name: 'new DatabaseSync from node:sqlite', code: handler("import { DatabaseSync } from 'node:sqlite';", 'const db = new DatabaseSync(input);'), errors: [blocking] },
    { name: 'new better-sqlite3 Database', code: handler("import Database from 'better-sqlite3';", 'const db = new Database(input);'), errors: [blocking] },
  ],
});

ruleTester.run('no-sync-third-party', noSyncThirdParty, {
  valid: [
    { name: 'fs-extra async API', code: handler("import fse from 'fs-extra';", 'await fse.readJson(input);') },
    { name: 'glob async', code: handler("import { glob } from 'glob';", "await glob('**/*.ts');") },
  ],
  invalid: [
    { name: 'fs-extra readJsonSync', code: handler("import fse from 'fs-extra';", 'fse.readJsonSync(input);'), errors: [blocking] },
    { name: 'glob.sync, globSync, fast-glob .sync', code: handler("import { glob, globSync } from 'glob';\nimport fg from 'fast-glob';", "glob.sync('*');\nglobSync('*');\nfg.sync('*');"), errors: [blocking, blocking, blocking] },
    { name: 'execa execaSync and bcrypt hashSync', code: handler("import { execaSync } from 'execa';\nimport bcrypt from 'bcrypt';", "execaSync('ls');\nbcrypt.hashSync(input, 10);\nbcrypt.compareSync(input, 'h');"), errors: [blocking, blocking, blocking] },
  ],
});
