import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// Every way a file can reach `fs.existsSync`: each one is reported once, at the call, inside an
// async function. Look-alikes that are not the import stay quiet.
const ruleTester = new RuleTester();
const why = 'waits for the file system on the main thread';

ruleTester.run('no-sync-fs resolves the callee through imports and scopes', noSyncFs, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'fs/promises is async',
      code: `
        import { readFile } from 'node:fs/promises';
        async function handler(p: string) {
          await readFile(p);
        }
      `,
    },
    {
      name: 'fs.promises is async',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          await fs.promises.readFile(p);
        }
      `,
    },
    {
      name: 'promises as fs is async',
      code: `
        import { promises as io } from 'fs';
        async function handler(p: string) {
          await io.readFile(p);
        }
      `,
    },
    {
      name: 'a local that shadows the import is not the import',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          const fs = { existsSync: (x: string) => x };
          fs.existsSync(p);
        }
      `,
    },
    {
      name: 'a parameter named like the module is not the module',
      code: `
        async function f(fs: { existsSync(p: string): void }) {
          fs.existsSync('x');
        }
      `,
    },
    {
      name: 'a same-named function that is not imported is not reported',
      code: `
        declare function existsSync(p: string): string;
        async function f() {
          existsSync("x");
        }
      `,
    },
    {
      name: 'unknown module with a *Sync export is not guessed',
      code: `
        import { loadSync } from './loader.js';
        async function handler(p: string) {
          loadSync(p);
        }
      `,
    },
    {
      name: 'a dynamic key cannot be resolved and is not guessed',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          const key = p;
          (fs as any)[key](p);
        }
      `,
    },
    {
      name: 'type-only imports do not bind values',
      code: `
        import type fs from 'node:fs';
        async function f(x: typeof fs) {
          x.existsSync('a');
        }
      `,
    },
    {
      name: 'a require() that a local function shadows is not the loader',
      code: `
        async function f(require: (m: string) => any) {
          require('fs').existsSync('a');
        }
      `,
    },
    {
      name: 'startup code at module level is not reported',
      code: `
        import fs from 'node:fs';
        const config = fs.existsSync('config.json', 'utf8');
      `,
    },
    {
      name: 'path helpers are never reported',
      code: `
        import path from 'node:path';
        async function handler(p: string) {
          path.join(p, 'x');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'default import',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'the module kept on a class instance, read through this in its methods',
      code: `
        import fs from 'node:fs';
        class Workspace {
          io = fs;
          async exists(p: string) {
            const check = () => this.io.existsSync(p);
            return check();
          }
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async method Workspace.exists' },
          line: 6, column: 33, endLine: 6, endColumn: 54,
          suggestions: [],
        },
      ],
    },
    {
      name: 'namespace import',
      code: `
        import * as fs from 'fs';
        async function handler(p: string) {
          fs.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'named import',
      code: `
        import { existsSync } from 'node:fs';
        async function handler(p: string) {
          existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: 'aliased named import',
      code: `
        import { existsSync as read } from 'node:fs';
        async function handler(p: string) {
          read(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
          suggestions: [],
        },
      ],
    },
    {
      name: 'import default as',
      code: `
        import { default as io } from 'node:fs';
        async function handler(p: string) {
          io.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'import = require',
      code: `
        import io = require('fs');
        async function handler(p: string) {
          io.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'require() bound to a variable',
      code: `
        const io = require('fs');
        async function handler(p: string) {
          io.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'require() destructured with a renamed key',
      code: `
        const { existsSync: read } = require('node:fs');
        async function handler(p: string) {
          read(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
          suggestions: [],
        },
      ],
    },
    {
      name: 'require() inside the function',
      code: `
        async function handler(p: string) {
          require('fs').existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 3, column: 11, endLine: 3, endColumn: 38,
          suggestions: [],
        },
      ],
    },
    {
      name: 'require() destructured inside the function',
      code: `
        async function handler(p: string) {
          const { existsSync } = require('fs');
          existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: 'createRequire in ESM',
      code: `
        import { createRequire } from 'node:module';
        const require = createRequire(import.meta.url);
        async function handler(p: string) {
          require('fs').existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 5, column: 11, endLine: 5, endColumn: 38,
          suggestions: [],
        },
      ],
    },
    {
      name: 'await import() then member',
      code: `
        async function handler(p: string) {
          (await import('node:fs')).existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 3, column: 11, endLine: 3, endColumn: 50,
          suggestions: [],
        },
      ],
    },
    {
      name: 'await import() destructured',
      code: `
        async function handler(p: string) {
          const { existsSync } = await import('fs');
          existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: 'await import() default member',
      code: `
        async function handler(p: string) {
          const io = await import('fs');
          io.default.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 35,
          suggestions: [],
        },
      ],
    },
    {
      name: 'import().then callback',
      code: `
        async function handler(p: string) {
          import('fs').then((io) => io.existsSync(p));
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: '.then callback' },
          line: 3, column: 37, endLine: 3, endColumn: 53,
          suggestions: [],
        },
      ],
    },
    {
      name: 'process.getBuiltinModule',
      code: `
        async function handler(p: string) {
          const io = process.getBuiltinModule('node:fs');
          io.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 27,
          suggestions: [],
        },
      ],
    },
    {
      name: 'computed string key',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs['existsSync'](p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 30,
          suggestions: [],
        },
      ],
    },
    {
      name: 'computed template key',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs[\`existsSync\`](p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 30,
          suggestions: [],
        },
      ],
    },
    {
      name: 'optional member and optional call',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs?.existsSync(p);
          fs.existsSync?.(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 28,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 5, column: 11, endLine: 5, endColumn: 29,
          suggestions: [],
        },
      ],
    },
    {
      name: '.call',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs.existsSync.call(fs, p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 36,
          suggestions: [],
        },
      ],
    },
    {
      name: '.apply',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs.existsSync.apply(fs, [p]);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 39,
          suggestions: [],
        },
      ],
    },
    {
      name: '.bind then call',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          const read = fs.existsSync.bind(fs);
          read(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 5, column: 11, endLine: 5, endColumn: 18,
          suggestions: [],
        },
      ],
    },
    {
      name: 'TS as / non-null / satisfies wrappers',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          (fs as typeof fs).existsSync(p);
          fs!.existsSync(p);
          (fs.existsSync satisfies unknown)(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 42,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 5, column: 11, endLine: 5, endColumn: 28,
          suggestions: [],
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 6, column: 11, endLine: 6, endColumn: 47,
          suggestions: [],
        },
      ],
    },
    {
      name: 'sequence callee from transpilers',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          (0, fs.existsSync)(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 32,
          suggestions: [],
        },
      ],
    },
    {
      name: 'await on a sync call still blocks',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          await fs.existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 17, endLine: 4, endColumn: 33,
          suggestions: [],
        },
      ],
    },
    {
      name: 'one report per call even when the function is also an argument',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          fs.existsSync.call(null, fs.existsSync);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 50,
          suggestions: [],
        },
      ],
    },
    {
      name: 'a bound function passed as a value',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          [p].filter(fs.existsSync.bind(fs));
        }
      `,
      errors: [
        {
          messageId: 'blockingValue',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 45,
          suggestions: [],
        },
      ],
    },
    {
      name: 'passed as a value',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          [p].map(fs.existsSync);
        }
      `,
      errors: [
        {
          messageId: 'blockingValue',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 33,
          suggestions: [],
        },
      ],
    },
    {
      name: 'aliased through a local variable',
      code: `
        import fs from 'node:fs';
        async function handler(p: string) {
          const io = fs;
          const { existsSync } = io;
          existsSync(p);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 6, column: 11, endLine: 6, endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: 'process.getBuiltinModule in a callback inside the handler',
      code: `
        async function handler(p: string) {
          [p].forEach(() => process.getBuiltinModule('fs').existsSync(p));
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why, owner: 'async function handler' },
          line: 3, column: 29, endLine: 3, endColumn: 73,
          suggestions: [],
        },
      ],
    },
  ],
});
