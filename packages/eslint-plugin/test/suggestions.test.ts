import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// Suggestions (never autofix) replace a blocking call with its async equivalent, only where the
// meaning is the same and the call sits directly in an async function.
const ruleTester = new RuleTester();
const suggest = (output: string) => [{ messageId: 'blocking' as const, suggestions: [{ messageId: 'useAsyncEquivalent' as const, output }] }];

ruleTester.run('no-sync-fs suggestions', noSyncFs, {
  valid: [],
  invalid: [
    {
      name: 'named import: adds the fs/promises import after the last import',
      code: "import { readFileSync } from 'node:fs';\nasync function load(p: string) {\n  return readFileSync(p, 'utf8');\n}",
      errors: suggest("import { readFileSync } from 'node:fs';\nimport { readFile } from 'node:fs/promises';\nasync function load(p: string) {\n  return await readFile(p, 'utf8');\n}"),
    },
    {
      name: 'member call on the module: parenthesises when the result is used as an object',
      code: "import fs from 'node:fs';\nasync function load(p: string) {\n  return fs.readFileSync(p).toString();\n}",
      errors: suggest("import fs from 'node:fs';\nimport { readFile } from 'node:fs/promises';\nasync function load(p: string) {\n  return (await readFile(p)).toString();\n}"),
    },
    {
      name: 'reuses an existing fs/promises import',
      code: "import fs from 'fs';\nimport { writeFile as write } from 'fs/promises';\nexport const run = async (p: string) => { fs.writeFileSync(p, 'x'); await write(p, 'y'); };",
      errors: suggest("import fs from 'fs';\nimport { writeFile as write } from 'fs/promises';\nexport const run = async (p: string) => { await write(p, 'x'); await write(p, 'y'); };"),
    },
    {
      name: 'already awaited: no second await',
      code: "import fs from 'node:fs';\nasync function list(dir: string) { return await fs.readdirSync(dir); }",
      errors: suggest("import fs from 'node:fs';\nimport { readdir } from 'node:fs/promises';\nasync function list(dir: string) { return await readdir(dir); }"),
    },
    {
      name: 'statSync in an async method, keeping type arguments out',
      code: "import { statSync } from 'node:fs';\nclass Tools { async size(p: string) { return statSync(p).size + 1; } }",
      errors: suggest("import { statSync } from 'node:fs';\nimport { stat } from 'node:fs/promises';\nclass Tools { async size(p: string) { return (await stat(p)).size + 1; } }"),
    },
    {
      name: 'no suggestion in a sync callback inside async code (it cannot await)',
      code: "import fs from 'node:fs';\nasync function all(ps: string[]) { return ps.map((p) => fs.readFileSync(p)); }",
      errors: [{ messageId: 'blocking', suggestions: [] }],
    },
    {
      name: 'no suggestion when the async name is already taken by something else',
      code: "import fs from 'node:fs';\nconst readFile = 1;\nasync function load(p: string) { return fs.readFileSync(p); }",
      errors: [{ messageId: 'blocking', suggestions: [] }],
    },
    {
      name: 'no suggestion for an optional call or a value use',
      code: "import fs from 'node:fs';\nasync function load(p: string) { fs.readFileSync?.(p); [p].map(fs.readFileSync); }",
      errors: [{ messageId: 'blocking', suggestions: [] }, { messageId: 'blockingValue', suggestions: [] }],
    },
    {
      name: 'CommonJS: adds a destructured require',
      code: "const fs = require('fs');\nasync function load(p) {\n  return fs.readFileSync(p, 'utf8');\n}",
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
      errors: suggest("const fs = require('fs');\nconst { readFile } = require('node:fs/promises');\nasync function load(p) {\n  return await readFile(p, 'utf8');\n}"),
    },
  ],
});
