import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// Every way a file can reach `fs.existsSync`: each one is reported once, at the call, inside an
// async function. Look-alikes that are not the import stay quiet.
const ruleTester = new RuleTester();

const inAsync = (body: string, header = "import fs from 'node:fs';") => `${header}\nasync function handler(p: string) {\n${body}\n}`;
const blocking = [{ messageId: 'blocking' as const }];

ruleTester.run('no-sync-fs resolves the callee through imports and scopes', noSyncFs, {
  valid: [
    { name: 'fs/promises is async', code: inAsync('await readFile(p);', "import { readFile } from 'node:fs/promises';") },
    { name: 'fs.promises is async', code: inAsync('await fs.promises.readFile(p);') },
    { name: 'promises as fs is async', code: inAsync('await io.readFile(p);', "import { promises as io } from 'fs';") },
    { name: 'a local that shadows the import is not the import', code: inAsync('const fs = { existsSync: (x: string) => x };\nfs.existsSync(p);') },
    { name: 'a parameter named like the module is not the module', code: "async function f(fs: { existsSync(p: string): void }) { fs.existsSync('x'); }" },
    { name: 'a same-named function that is not imported is not reported', code: 'declare function existsSync(p: string): string;\nasync function f() { existsSync("x"); }' },
    { name: 'unknown module with a *Sync export is not guessed', code: inAsync('loadSync(p);', "import { loadSync } from './loader.js';") },
    { name: 'a dynamic key cannot be resolved and is not guessed', code: inAsync('const key = p; (fs as any)[key](p);') },
    { name: 'type-only imports do not bind values', code: "import type fs from 'node:fs';\nasync function f(x: typeof fs) { x.existsSync('a'); }" },
    { name: 'a require() that a local function shadows is not the loader', code: "async function f(require: (m: string) => any) { require('fs').existsSync('a'); }" },
    { name: 'startup code at module level is not reported', code: "import fs from 'node:fs';\nconst config = fs.existsSync('config.json', 'utf8');" },
    { name: 'path helpers are never reported', code: inAsync("path.join(p, 'x');", "import path from 'node:path';") },
  ],
  invalid: [
    { name: 'default import', code: inAsync('fs.existsSync(p);'), errors: blocking },
    { name: 'namespace import', code: inAsync('fs.existsSync(p);', "import * as fs from 'fs';"), errors: blocking },
    { name: 'named import', code: inAsync('existsSync(p);', "import { existsSync } from 'node:fs';"), errors: blocking },
    { name: 'aliased named import', code: inAsync('read(p);', "import { existsSync as read } from 'node:fs';"), errors: blocking },
    { name: 'import default as', code: inAsync('io.existsSync(p);', "import { default as io } from 'node:fs';"), errors: blocking },
    { name: 'import = require', code: inAsync('io.existsSync(p);', "import io = require('fs');"), errors: blocking },
    { name: 'require() bound to a variable', code: inAsync('io.existsSync(p);', "const io = require('fs');"), errors: blocking },
    { name: 'require() destructured with a renamed key', code: inAsync('read(p);', "const { existsSync: read } = require('node:fs');"), errors: blocking },
    { name: 'require() inside the function', code: inAsync("require('fs').existsSync(p);", ''), errors: blocking },
    { name: 'require() destructured inside the function', code: inAsync("const { existsSync } = require('fs');\nexistsSync(p);", ''), errors: blocking },
    { name: 'createRequire in ESM', code: inAsync("require('fs').existsSync(p);", "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);"), errors: blocking },
    { name: 'await import() then member', code: inAsync("(await import('node:fs')).existsSync(p);", ''), errors: blocking },
    { name: 'await import() destructured', code: inAsync("const { existsSync } = await import('fs');\nexistsSync(p);", ''), errors: blocking },
    { name: 'await import() default member', code: inAsync("const io = await import('fs');\nio.default.existsSync(p);", ''), errors: blocking },
    { name: 'import().then callback', code: inAsync("import('fs').then((io) => io.existsSync(p));", ''), errors: blocking },
    { name: 'process.getBuiltinModule', code: inAsync("const io = process.getBuiltinModule('node:fs');\nio.existsSync(p);", ''), errors: blocking },
    { name: 'computed string key', code: inAsync("fs['existsSync'](p);"), errors: blocking },
    { name: 'computed template key', code: inAsync('fs[`existsSync`](p);'), errors: blocking },
    { name: 'optional member and optional call', code: inAsync('fs?.existsSync(p);\nfs.existsSync?.(p);'), errors: [...blocking, ...blocking] },
    { name: '.call', code: inAsync('fs.existsSync.call(fs, p);'), errors: blocking },
    { name: '.apply', code: inAsync('fs.existsSync.apply(fs, [p]);'), errors: blocking },
    { name: '.bind then call', code: inAsync('const read = fs.existsSync.bind(fs);\nread(p);'), errors: blocking },
    { name: 'TS as / non-null / satisfies wrappers', code: inAsync('(fs as typeof fs).existsSync(p);\nfs!.existsSync(p);\n(fs.existsSync satisfies unknown)(p);'), errors: [...blocking, ...blocking, ...blocking] },
    { name: 'sequence callee from transpilers', code: inAsync('(0, fs.existsSync)(p);'), errors: blocking },
    { name: 'await on a sync call still blocks', code: inAsync('await fs.existsSync(p);'), errors: blocking },
    { name: 'one report per call even when the function is also an argument', code: inAsync('fs.existsSync.call(null, fs.existsSync);'), errors: blocking },
    { name: 'a bound function passed as a value', code: inAsync('[p].filter(fs.existsSync.bind(fs));'), errors: [{ messageId: 'blockingValue' }] },
    { name: 'passed as a value', code: inAsync('[p].map(fs.existsSync);'), errors: [{ messageId: 'blockingValue' }] },
    { name: 'aliased through a local variable', code: inAsync('const io = fs;\nconst { existsSync } = io;\nexistsSync(p);'), errors: blocking },
    { name: 'process.getBuiltinModule in a callback inside the handler', code: inAsync("[p].forEach(() => process.getBuiltinModule('fs').existsSync(p));", ''), errors: blocking },
  ],
});
