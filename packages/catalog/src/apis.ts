import type { AsyncEquivalent, BlockingApi, BlockingCategory, BlockingGlobal, AsyncOnlyModule, CheapUpTo, InstanceSource } from './types.js';

/*
 * The catalog of blocking APIs. Plain data: the ESLint plugin resolves callees against it and the
 * runtime monitor wraps the built-in entries. Keep it free of logic and dependencies.
 */

const promises = (name: string): AsyncEquivalent => ({ module: 'node:fs/promises', name, style: 'promise' });

type InstanceType = Pick<BlockingApi, 'module' | 'builtin' | 'path' | 'category' | 'why'> & { typeName: string };

/** The blocking `methods` of instances of a type (made as INSTANCE_SOURCES says): `module.Type#method`, one entry each. */
const instanceMethods = (type: InstanceType, methods: readonly string[]): BlockingApi[] =>
  methods.map((method) => ({ ...type, id: `${type.module}.${type.typeName}#${method}`, kind: 'method', method, wrapAtRuntime: false }));

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
  ...instanceMethods(
    { module: 'fs', builtin: true, path: ['Dir'], typeName: 'Dir', category: 'fs', why: 'waits for the file system on the main thread' },
    ['readSync', 'closeSync'],
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

/*
 * Calls whose cost grows with an argument are quiet when a constant keeps it at about a millisecond
 * or less: a tool call awaits a model for seconds, and reporting `randomBytes(16)` (3 µs) teaches users
 * to turn the rule off. Minimum of 41 runs each, Node 20.20.2 on the project's 2-vCPU x64 VM
 * (2026-12-03; measure with a loop around the call, `process.hrtime.bigint()` before and after):
 * - randomBytes(65,536) 54 µs (16 or 1,024 bytes: 3-4 µs; 1 MiB: 0.3-0.8 ms); randomFillSync of
 *   65,536 bytes 13 µs.
 * - pbkdf2Sync grows with iterations × derived key bytes (blocks of the digest's size): 1,000 iterations
 *   of 32 bytes: sha256 0.25 ms, sha1 0.5 ms, md5 0.74 ms (the slowest digest per byte here); of 64
 *   bytes sha512 0.6 ms, sha1 1.0 ms, md5 1.5 ms. Bound: 32,000.
 * - scryptSync grows with N × r × p (memory 128 × N × r bytes, walked twice): N 256, r 8 0.63 ms;
 *   N 512, r 8 1.24 ms; N 1,024, r 8 2.5 ms; Node's defaults (16,384 × 8 × 1) 64-130 ms. Bound: 2,048.
 */
const SMALL_BUFFER: CheapUpTo = { factors: [{ argument: 0 }], max: 65_536, unit: 'bytes' };

const CHEAP_CRYPTO: Record<string, CheapUpTo> = {
  // randomFillSync(buffer, offset?, size?): `size` when given, else the buffer's own length.
  randomFillSync: {
    factors: [{ argument: 2, whenAbsent: { argument: 0, read: 'buffer-bytes' } }],
    max: 65_536,
    unit: 'bytes',
  },
  // pbkdf2Sync(password, salt, iterations, keylen, digest)
  pbkdf2Sync: { factors: [{ argument: 2 }, { argument: 3 }], max: 32_000, unit: 'iterations × key bytes' },
  // scryptSync(password, salt, keylen, { N | cost = 16384, r | blockSize = 8, p | parallelization = 1 })
  scryptSync: {
    factors: [
      { argument: 3, property: ['N', 'cost'], whenAbsent: 16_384 },
      { argument: 3, property: ['r', 'blockSize'], whenAbsent: 8 },
      { argument: 3, property: ['p', 'parallelization'], whenAbsent: 1 },
    ],
    max: 2_048,
    unit: 'N × r × p',
  },
};

const cryptoApis: BlockingApi[] = Object.entries(cryptoPromisified).map(([name, asyncName]) => ({
  id: `crypto.${name}`,
  module: 'crypto',
  builtin: true,
  path: [name],
  kind: 'call',
  category: 'crypto',
  ...(CHEAP_CRYPTO[name] ? { cheapUpTo: CHEAP_CRYPTO[name] } : {}),
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
  cheapUpTo: SMALL_BUFFER,
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

const NODE_SQLITE = { module: 'sqlite', builtin: true, category: 'sqlite', why: 'every query on a DatabaseSync runs synchronously on the main thread' } as const;
const BETTER_SQLITE3 = { module: 'better-sqlite3', builtin: false, category: 'sqlite', why: 'better-sqlite3 runs every query synchronously on the main thread' } as const;

const sqliteApis: BlockingApi[] = [
  { ...NODE_SQLITE, id: 'sqlite.DatabaseSync', path: ['DatabaseSync'], kind: 'construct', hintArgument: 0, wrapAtRuntime: false },
  ...instanceMethods({ ...NODE_SQLITE, path: ['DatabaseSync'], typeName: 'DatabaseSync' }, ['exec', 'prepare']),
  ...instanceMethods({ ...NODE_SQLITE, path: ['StatementSync'], typeName: 'StatementSync' }, ['run', 'get', 'all', 'iterate']),
  { ...BETTER_SQLITE3, id: 'better-sqlite3.Database', path: [], kind: 'construct', wrapAtRuntime: false },
  ...instanceMethods({ ...BETTER_SQLITE3, path: [], typeName: 'Database' }, ['exec', 'prepare', 'pragma', 'backup', 'serialize', 'transaction']),
  ...instanceMethods({ ...BETTER_SQLITE3, path: ['Statement'], typeName: 'Statement' }, ['run', 'get', 'all', 'iterate']),
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

/** How the instances behind the `method` entries above are made, for tools that follow receivers without types. */
export const INSTANCE_SOURCES: readonly InstanceSource[] = [
  { module: 'fs', typeName: 'Dir', from: { kind: 'call', path: ['opendirSync'] } },
  { module: 'sqlite', typeName: 'DatabaseSync', from: { kind: 'construct', path: ['DatabaseSync'] } },
  { module: 'sqlite', typeName: 'StatementSync', from: { kind: 'method', typeName: 'DatabaseSync', method: 'prepare' } },
  // better-sqlite3's Database makes an instance when called without `new` too.
  { module: 'better-sqlite3', typeName: 'Database', from: { kind: 'construct', path: [] } },
  { module: 'better-sqlite3', typeName: 'Database', from: { kind: 'call', path: [] } },
  { module: 'better-sqlite3', typeName: 'Statement', from: { kind: 'method', typeName: 'Database', method: 'prepare' } },
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
