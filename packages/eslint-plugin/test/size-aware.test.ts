import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import * as ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { findCatalogApi } from '../src/catalog/index.js';
import { isCheapTsCall } from '../src/catalog/cost-ts.js';
import { noSyncCrypto } from '../src/rules/no-sync-crypto.js';

/*
 * Size-aware catalog entries (`cheapUpTo` in packages/catalog/src/apis.ts): a call whose cost grows
 * with an argument is quiet when constants keep it within the catalog's bound (about a millisecond at
 * most), and reported above the bound or when the size is not a constant.
 */
const ruleTester = new RuleTester();
const why = 'runs CPU-heavy crypto on the main thread instead of the libuv pool';
const whyRandomBytes = 'without a callback it gathers entropy on the main thread';

ruleTester.run('no-sync-crypto: size-aware', noSyncCrypto, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'randomBytes(16) in an async write path: microseconds',
      code: `
        import crypto from 'node:crypto';
        export async function saveSession(store: Store, data: object) {
          const id = crypto.randomBytes(16).toString('hex');
          await store.put(id, data);
          return id;
        }
      `,
    },
    {
      name: 'sizes through const bindings and constant arithmetic, up to 64 KiB',
      code: `
        import { randomBytes, randomFillSync } from 'node:crypto';
        const TOKEN_BYTES = 32;
        const NONCE = TOKEN_BYTES / 2;
        export async function tokens() {
          return [randomBytes(TOKEN_BYTES), randomBytes(NONCE), randomBytes(64 * 1024), randomBytes(2 ** 10)];
        }
        export async function fill() {
          const iv = Buffer.alloc(12);
          randomFillSync(iv);
          randomFillSync(new Uint32Array(4));
          randomFillSync(Buffer.allocUnsafe(1 << 20), 0, 16);
          return iv;
        }
      `,
    },
    {
      name: 'pbkdf2Sync at 1,000 iterations of a 32-byte key; scryptSync with N × r × p ≤ 2,048',
      ...{ languageOptions: { sourceType: 'commonjs' as const } },
      code: `
        const crypto = require('node:crypto');
        const SCRYPT_TEST_PARAMS = { N: 256, r: 8, p: 1 };
        app.post('/legacy-login', (req, res) => {
          const key = crypto.pbkdf2Sync(req.body.password, salt, 1000, 32, 'sha256');
          const fast = crypto.scryptSync(req.body.password, salt, 32, SCRYPT_TEST_PARAMS);
          const alias = crypto.scryptSync(req.body.password, salt, 32, { cost: 2048, blockSize: 1 });
          res.json({ ok: key.equals(fast) || alias.length > 0 });
        });
      `,
    },
    {
      name: '.call(thisArg, size) reads the size after thisArg',
      code: `
        import crypto from 'node:crypto';
        export async function f() {
          return crypto.randomBytes.call(crypto, 16);
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'randomBytes(n): the size is not a constant',
      code: `
        import crypto from 'node:crypto';
        app.post('/upload', (req, res) => {
          const pad = crypto.randomBytes(req.body.size);
          res.send(pad);
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomBytes', category: 'crypto', why: whyRandomBytes, owner: "app.post('/upload') handler" },
          line: 4, column: 23, endLine: 4, endColumn: 56,
          suggestions: [],
        },
      ],
    },
    {
      name: 'above the bound, a let, a parameter, a buffer of unknown size',
      code: `
        import { randomBytes, randomFillSync } from 'node:crypto';
        let size = 16;
        app.post('/bytes', (req, res) => {
          randomBytes(64 * 1024 + 1);
          randomBytes(size);
          randomFillSync(Buffer.alloc(req.body.n));
          randomFillSync(Buffer.alloc(16), 0, req.body.n);
          randomFillSync(new Float64Array(16 * 1024));
          res.end();
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomBytes', category: 'crypto', why: whyRandomBytes, owner: "app.post('/bytes') handler" },
          line: 5, column: 11, endLine: 5, endColumn: 37,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomBytes', category: 'crypto', why: whyRandomBytes, owner: "app.post('/bytes') handler" },
          line: 6, column: 11, endLine: 6, endColumn: 28,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomFillSync', category: 'crypto', why, owner: "app.post('/bytes') handler" },
          line: 7, column: 11, endLine: 7, endColumn: 51,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomFillSync', category: 'crypto', why, owner: "app.post('/bytes') handler" },
          line: 8, column: 11, endLine: 8, endColumn: 58,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomFillSync', category: 'crypto', why, owner: "app.post('/bytes') handler" },
          line: 9, column: 11, endLine: 9, endColumn: 54,
          suggestions: [],
        },
      ],
    },
    {
      name: "pbkdf2Sync at 600,000 iterations or a 64-byte key; scryptSync at Node's default cost, a bigger N, unknown options",
      code: `
        import { pbkdf2Sync, scryptSync } from 'node:crypto';
        app.post('/login', (req, res) => {
          pbkdf2Sync(req.body.password, salt, 600_000, 64, 'sha512');
          pbkdf2Sync(req.body.password, salt, 1000, 64, 'sha512');
          scryptSync(req.body.password, salt, 64);
          scryptSync(req.body.password, salt, 64, { N: 1024 });
          scryptSync(req.body.password, salt, 64, { ...req.body.params });
          res.end();
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'crypto.pbkdf2Sync', category: 'crypto', why, owner: "app.post('/login') handler" },
          line: 4, column: 11, endLine: 4, endColumn: 69,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.pbkdf2Sync', category: 'crypto', why, owner: "app.post('/login') handler" },
          line: 5, column: 11, endLine: 5, endColumn: 66,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.scryptSync', category: 'crypto', why, owner: "app.post('/login') handler" },
          line: 6, column: 11, endLine: 6, endColumn: 50,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.scryptSync', category: 'crypto', why, owner: "app.post('/login') handler" },
          line: 7, column: 11, endLine: 7, endColumn: 63,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.scryptSync', category: 'crypto', why, owner: "app.post('/login') handler" },
          line: 8, column: 11, endLine: 8, endColumn: 74,
          suggestions: [],
        },
      ],
    },
    {
      name: 'a const options object written to later, .apply, a local Buffer',
      code: `
        import crypto from 'node:crypto';
        const PARAMS = { N: 256 };
        PARAMS.N = 1 << 20;
        app.post('/derive', (req, res) => {
          const Buffer = { alloc: (n: number) => new Uint8Array(n * 1024) };
          crypto.randomFillSync(Buffer.alloc(16));
          crypto.randomBytes.apply(crypto, [16]);
          res.send(crypto.scryptSync(req.body.password, 'salt', 64, PARAMS));
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomFillSync', category: 'crypto', why, owner: "app.post('/derive') handler" },
          line: 7, column: 11, endLine: 7, endColumn: 50,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.randomBytes', category: 'crypto', why: whyRandomBytes, owner: "app.post('/derive') handler" },
          line: 8, column: 11, endLine: 8, endColumn: 49,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'crypto.scryptSync', category: 'crypto', why, owner: "app.post('/derive') handler" },
          line: 9, column: 20, endLine: 9, endColumn: 76,
          suggestions: [],
        },
      ],
    },
  ],
});

/*
 * The same reading on TypeScript's AST (src/catalog/cost-ts.ts), for analyses that reach other files
 * through the type checker: a real program over a temp file, with @types/node.
 */
describe('isCheapTsCall: the size rule through the type checker', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  let dir: string;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads literals, arithmetic, const literals and inline options; anything else is not cheap', () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-lag-cost-ts-'));
    const file = join(dir, 'helpers.ts');
    writeFileSync(
      file,
      `import { randomBytes, randomFillSync, pbkdf2Sync, scryptSync } from 'node:crypto';
const TOKEN_BYTES = 32;
let size = 16;
export function helpers(n: number, options: { N: number }) {
  randomBytes(16); // cheap
  randomBytes(TOKEN_BYTES); // cheap
  randomBytes(64 * 1024); // cheap
  randomFillSync(Buffer.alloc(12)); // cheap
  randomFillSync(new Uint32Array(4)); // cheap
  pbkdf2Sync('p', 's', 1000, 32, 'sha256'); // cheap
  scryptSync('p', 's', 64, { N: 256, r: 8 }); // cheap
  randomBytes(n); // not cheap
  randomBytes(size); // not cheap
  randomBytes(64 * 1024 + 1); // not cheap
  randomFillSync(Buffer.alloc(n)); // not cheap
  pbkdf2Sync('p', 's', 600_000, 64, 'sha512'); // not cheap
  scryptSync('p', 's', 64); // not cheap
  scryptSync('p', 's', 64, options); // not cheap
}
`,
    );
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;
    const verdicts: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const api = findCatalogApi('node:crypto', [node.expression.text]);
        if (api) {
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const expected = source.text.split('\n')[line]!.includes('// not cheap') ? 'not cheap' : 'cheap';
          const actual = isCheapTsCall(ts, checker, node, api) ? 'cheap' : 'not cheap';
          verdicts.push(`${line + 1}: ${node.getText()} expected ${expected}, got ${actual}`);
          expect(actual, node.getText()).toBe(expected);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(verdicts).toHaveLength(14);
    // Building the program checks @types/node: seconds on a busy machine.
  }, 120_000);
});
