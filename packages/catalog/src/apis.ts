import type { AsyncEquivalent, BlockingApi, BlockingCategory, BlockingGlobal, AsyncOnlyModule } from './types.js';

/*
 * The catalog of blocking APIs. Plain data: the ESLint plugin resolves callees against it and the
 * runtime monitor wraps the built-in entries. Keep it free of logic and dependencies.
 */

const promises = (name: string): AsyncEquivalent => ({ module: 'node:fs/promises', name, style: 'promise' });

/** `fs.xSync` → the `fs/promises` function with the same arguments and meaning, where one exists. */
const FS_SYNC: Record<string, string | null> = {
  accessSync: 'access',
  appendFileSync: 'appendFile',
  chmodSync: 'chmod',
  chownSync: 'chown',
  closeSync: null,
  copyFileSync: 'copyFile',
  cpSync: 'cp',
  // existsSync has no same-meaning async form: fs.exists is deprecated and access() throws.
  existsSync: null,
  fchmodSync: null,
  fchownSync: null,
  fdatasyncSync: null,
  fstatSync: null,
  fsyncSync: null,
  ftruncateSync: null,
  futimesSync: null,
  globSync: null,
  lchmodSync: 'lchmod',
  lchownSync: 'lchown',
  linkSync: 'link',
  lstatSync: 'lstat',
  lutimesSync: 'lutimes',
  mkdirSync: 'mkdir',
  mkdtempSync: 'mkdtemp',
  // Node 24: returns a Disposable; the async form returns an AsyncDisposable, a different contract.
  mkdtempDisposableSync: null,
  // opendirSync returns a Dir; fs/promises.opendir returns a Promise<Dir>: same meaning once awaited.
  opendirSync: 'opendir',
  openSync: null,
  readdirSync: 'readdir',
  readFileSync: 'readFile',
  readlinkSync: 'readlink',
  readSync: null,
  readvSync: null,
  realpathSync: 'realpath',
  renameSync: 'rename',
  rmdirSync: 'rmdir',
  rmSync: 'rm',
  statfsSync: 'statfs',
  statSync: 'stat',
  symlinkSync: 'symlink',
  truncateSync: 'truncate',
  unlinkSync: 'unlink',
  utimesSync: 'utimes',
  writeFileSync: 'writeFile',
  writeSync: null,
  writevSync: null,
};

/** fs functions whose first argument is a path worth naming at run time. */
const FS_FD_FUNCTIONS = new Set([
  'closeSync', 'fchmodSync', 'fchownSync', 'fdatasyncSync', 'fstatSync', 'fsyncSync', 'ftruncateSync',
  'futimesSync', 'readSync', 'readvSync', 'writeSync', 'writevSync',
]);

const fsApis: BlockingApi[] = Object.entries(FS_SYNC).map(([name, asyncName]) => ({
  id: `fs.${name}`,
  module: 'fs',
  builtin: true,
  path: [name],
  kind: 'call',
  category: 'fs',
  ...(asyncName ? { asyncEquivalent: promises(asyncName) } : {}),
  ...(FS_FD_FUNCTIONS.has(name) ? {} : { hintArgument: 0 }),
  wrapAtRuntime: true,
  why: 'waits for the file system on the main thread',
}));

fsApis.push(
  {
    id: 'fs.realpathSync.native',
    module: 'fs',
    builtin: true,
    path: ['realpathSync', 'native'],
    kind: 'call',
    category: 'fs',
    asyncEquivalent: promises('realpath'),
    hintArgument: 0,
    wrapAtRuntime: false,
    why: 'waits for the file system on the main thread',
  },
  ...(['readSync', 'closeSync'] as const).map(
    (method): BlockingApi => ({
      id: `fs.Dir#${method}`,
      module: 'fs',
      builtin: true,
      path: ['Dir'],
      kind: 'method',
      method,
      typeName: 'Dir',
      category: 'fs',
      wrapAtRuntime: false,
      why: 'waits for the file system on the main thread',
    }),
  ),
);

const childProcessApis: BlockingApi[] = ['execSync', 'execFileSync', 'spawnSync'].map((name) => ({
  id: `child_process.${name}`,
  module: 'child_process',
  builtin: true,
  path: [name],
  kind: 'call',
  category: 'child-process',
  hintArgument: 0,
  wrapAtRuntime: true,
  why: 'waits for the child process to exit; nothing else runs meanwhile',
}));

const cryptoPromisified: Record<string, string> = {
  pbkdf2Sync: 'pbkdf2',
  scryptSync: 'scrypt',
  hkdfSync: 'hkdf',
  generateKeyPairSync: 'generateKeyPair',
  generateKeySync: 'generateKey',
  generatePrimeSync: 'generatePrime',
  checkPrimeSync: 'checkPrime',
  randomFillSync: 'randomFill',
  // Node 24.
  argon2Sync: 'argon2',
};

const cryptoApis: BlockingApi[] = Object.entries(cryptoPromisified).map(([name, asyncName]) => ({
  id: `crypto.${name}`,
  module: 'crypto',
  builtin: true,
  path: [name],
  kind: 'call',
  category: 'crypto',
  asyncEquivalent: { module: 'node:crypto', name: asyncName, style: 'promisify' },
  wrapAtRuntime: true,
  why: 'runs CPU-heavy crypto on the main thread instead of the libuv pool',
}));

cryptoApis.push({
  id: 'crypto.randomBytes',
  module: 'crypto',
  builtin: true,
  path: ['randomBytes'],
  kind: 'call',
  category: 'crypto',
  blockingUnless: 'callback',
  asyncEquivalent: { module: 'node:crypto', name: 'randomBytes', style: 'promisify' },
  wrapAtRuntime: false,
  why: 'without a callback it gathers entropy on the main thread',
});

const ZLIB_SYNC: Record<string, string> = {
  deflateSync: 'deflate',
  deflateRawSync: 'deflateRaw',
  gzipSync: 'gzip',
  gunzipSync: 'gunzip',
  inflateSync: 'inflate',
  inflateRawSync: 'inflateRaw',
  unzipSync: 'unzip',
  brotliCompressSync: 'brotliCompress',
  brotliDecompressSync: 'brotliDecompress',
  zstdCompressSync: 'zstdCompress',
  zstdDecompressSync: 'zstdDecompress',
};

const zlibApis: BlockingApi[] = Object.entries(ZLIB_SYNC).map(([name, asyncName]) => ({
  id: `zlib.${name}`,
  module: 'zlib',
  builtin: true,
  path: [name],
  kind: 'call',
  category: 'zlib',
  asyncEquivalent: { module: 'node:zlib', name: asyncName, style: 'promisify' },
  wrapAtRuntime: true,
  why: 'compresses or decompresses on the main thread instead of the libuv pool',
}));

const sqliteApis: BlockingApi[] = [
  {
    id: 'sqlite.DatabaseSync',
    module: 'sqlite',
    builtin: true,
    path: ['DatabaseSync'],
    kind: 'construct',
    category: 'sqlite',
    hintArgument: 0,
    wrapAtRuntime: false,
    why: 'every query on a DatabaseSync runs synchronously on the main thread',
  },
  {
    id: 'better-sqlite3.Database',
    module: 'better-sqlite3',
    builtin: false,
    path: [],
    kind: 'construct',
    category: 'sqlite',
    wrapAtRuntime: false,
    why: 'better-sqlite3 runs every query synchronously on the main thread',
  },
  ...(['exec', 'prepare', 'pragma', 'backup', 'serialize', 'transaction'] as const).map(
    (method): BlockingApi => ({
      id: `better-sqlite3.Database#${method}`,
      module: 'better-sqlite3',
      builtin: false,
      path: [],
      kind: 'method',
      method,
      typeName: 'Database',
      category: 'sqlite',
      wrapAtRuntime: false,
      why: 'better-sqlite3 runs every query synchronously on the main thread',
    }),
  ),
  ...(['run', 'get', 'all', 'iterate'] as const).map(
    (method): BlockingApi => ({
      id: `better-sqlite3.Statement#${method}`,
      module: 'better-sqlite3',
      builtin: false,
      path: ['Statement'],
      kind: 'method',
      method,
      typeName: 'Statement',
      category: 'sqlite',
      wrapAtRuntime: false,
      why: 'better-sqlite3 runs every query synchronously on the main thread',
    }),
  ),
];

const thirdParty = (module: string, path: string[], why: string, hintArgument?: number): BlockingApi => ({
  id: `${module}.${path.join('.')}`,
  module,
  builtin: false,
  path,
  kind: 'call',
  category: 'third-party',
  ...(hintArgument === undefined ? {} : { hintArgument }),
  wrapAtRuntime: false,
  why,
});

const FS_EXTRA_SYNC = [
  'copySync', 'emptyDirSync', 'emptydirSync', 'ensureDirSync', 'ensureFileSync', 'ensureLinkSync',
  'ensureSymlinkSync', 'mkdirpSync', 'mkdirsSync', 'moveSync', 'outputFileSync', 'outputJsonSync',
  'outputJSONSync', 'pathExistsSync', 'readJsonSync', 'readJSONSync', 'removeSync', 'writeJsonSync',
  'writeJSONSync', 'createFileSync', 'createLinkSync', 'createSymlinkSync',
  // fs-extra re-exports every fs *Sync function.
  ...Object.keys(FS_SYNC),
];

const thirdPartyApis: BlockingApi[] = [
  ...FS_EXTRA_SYNC.map((name) => thirdParty('fs-extra', [name], 'fs-extra sync helpers block on the file system', 0)),
  thirdParty('glob', ['globSync'], 'walks the directory tree synchronously'),
  thirdParty('glob', ['sync'], 'walks the directory tree synchronously'),
  thirdParty('glob', ['glob', 'sync'], 'walks the directory tree synchronously'),
  thirdParty('fast-glob', ['sync'], 'walks the directory tree synchronously'),
  thirdParty('fast-glob', ['globSync'], 'walks the directory tree synchronously'),
  thirdParty('execa', ['execaSync'], 'waits for the child process to exit', 0),
  thirdParty('execa', ['execaCommandSync'], 'waits for the child process to exit', 0),
  ...['bcrypt', 'bcryptjs'].flatMap((module) =>
    ['hashSync', 'compareSync', 'genSaltSync'].map((name) =>
      thirdParty(module, [name], 'runs the deliberately slow bcrypt hash on the main thread'),
    ),
  ),
];

export const BLOCKING_APIS: readonly BlockingApi[] = [
  ...fsApis,
  ...childProcessApis,
  ...cryptoApis,
  ...zlibApis,
  ...sqliteApis,
  ...thirdPartyApis,
];

export const BLOCKING_GLOBALS: readonly BlockingGlobal[] = [
  {
    id: 'Atomics.wait',
    path: ['Atomics', 'wait'],
    category: 'atomics',
    wrapAtRuntime: true,
    why: 'parks the main thread until notified or timed out (Atomics.waitAsync does not)',
  },
];

/** Modules (or module members) that are asynchronous and never reported, whatever their export names. */
export const ASYNC_ONLY: readonly AsyncOnlyModule[] = [
  { module: 'fs/promises' },
  { module: 'fs', path: ['promises'] },
  { module: 'fs-extra', path: ['promises'] },
  { module: 'child_process', path: ['exec'] },
  { module: 'dns/promises' },
  { module: 'stream/promises' },
  { module: 'timers/promises' },
  { module: 'readline/promises' },
];

/** Built-ins that exist only with the `node:` prefix. */
export const PREFIX_ONLY_BUILTINS: ReadonlySet<string> = new Set(['sqlite', 'test', 'sea']);

export const CATEGORIES: readonly BlockingCategory[] = [
  'fs',
  'child-process',
  'crypto',
  'zlib',
  'atomics',
  'sqlite',
  'busy-wait',
  'third-party',
];
