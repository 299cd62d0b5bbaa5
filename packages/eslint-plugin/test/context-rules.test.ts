import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

/*
 * The context analysis through a real category rule (no-sync-fs): the same calls are quiet or
 * reported depending only on where they run.
 */
const ruleTester = new RuleTester();
const cjs = { languageOptions: { sourceType: 'commonjs' as const } };
const why = 'waits for the file system on the main thread';
const blocking = (api: string, owner: string) => ({ messageId: 'blocking' as const, data: { api, category: 'fs', why, owner } });

ruleTester.run('no-sync-fs: where it reports', noSyncFs, {
  valid: [
    { name: 'start-up read of the config', code: "import fs from 'node:fs';\nexport const config = JSON.parse(fs.readFileSync('config.json', 'utf8'));" },
    { name: 'top-level await does not make the top level event-loop code', code: "import { readFileSync } from 'node:fs';\nawait init();\nreadFileSync('a');" },
    { name: 'helper only called at start-up, even in strict', options: [{ reachability: true }], code: "import { readFileSync } from 'node:fs';\nfunction load() { return readFileSync('a'); }\nexport const data = load();" },
    { name: 'exit handler', code: "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync('state.json', '{}'));" },
    { name: 'sync prefix of a top-level async IIFE', ...cjs, code: "const fs = require('fs');\n(async () => { const cfg = fs.readFileSync('c'); await start(cfg); })();" },
    { name: 'helper called from async code, without reachability', code: "import { statSync } from 'node:fs';\nfunction size(p) { return statSync(p).size; }\nexport async function f(p) { return size(p); }" },
  ],
  invalid: [
    {
      name: 'async tool handler',
      code: "import { existsSync } from 'node:fs';\nexport async function runTool(p: string) { return existsSync(p); }",
      errors: [blocking('fs.existsSync', 'async function runTool')],
    },
    {
      name: "'data' listener in CommonJS",
      ...cjs,
      code: "const fs = require('fs');\nprocess.stdin.on('data', (line) => { fs.appendFileSync('log', line); });",
      errors: [blocking('fs.appendFileSync', "'data' listener")],
    },
    {
      name: 'route handler',
      code: "import fs from 'node:fs';\napp.get('/files', (req, res) => { res.json(fs.readdirSync('.')); });",
      errors: [blocking('fs.readdirSync', "app.get('/files') handler")],
    },
    {
      name: 'reachable helper declared after its async caller (strict)',
      options: [{ reachability: true }],
      code: "import { statSync } from 'node:fs';\nexport async function f(p) { return size(p); }\nfunction size(p) { return statSync(p).size; }",
      errors: [{ messageId: 'blockingInHelper', data: { api: 'fs.statSync', category: 'fs', helper: 'size', caller: 'async function f' } }],
    },
  ],
});
