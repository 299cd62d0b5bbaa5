import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncChildProcess } from '../src/rules/no-sync-child-process.js';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// The same resolution in every language the plugin meets: TS, TSX, JS ESM and JS CommonJS.
const ruleTester = new RuleTester();
const blocking = [{ messageId: 'blocking' as const }];

ruleTester.run('no-sync-child-process across languages', noSyncChildProcess, {
  valid: [
    {
      name: 'CJS: module-level require and top-level call is start-up',
      code: "const { execSync } = require('child_process');\nconst rev = execSync('git rev-parse HEAD');",
      filename: 'file.cjs',
      languageOptions: { sourceType: 'commonjs' },
    },
  ],
  invalid: [
    {
      name: 'TSX component with an async event handler',
      code: "import { execSync } from 'node:child_process';\nexport const Button = () => <button onClick={async () => { execSync('ls'); }} />;",
      filename: 'component.tsx',
      languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
      errors: blocking,
    },
    {
      name: 'JS ESM',
      code: "import { execSync } from 'node:child_process';\nexport async function shell(command) { return execSync(command, { encoding: 'utf8' }); }",
      filename: 'tools.mjs',
      errors: blocking,
    },
    {
      name: 'JS CommonJS with require inside the handler',
      code: "module.exports.shell = async function shell(command) {\n  const cp = require('node:child_process');\n  return cp.spawnSync('sh', ['-c', command]);\n};",
      filename: 'tools.cjs',
      languageOptions: { sourceType: 'commonjs' },
      errors: blocking,
    },
    {
      name: 'JS script with a destructured, renamed require',
      code: "const { execFileSync: run } = require('child_process');\nasync function git(args) { return run('git', args); }",
      filename: 'git.js',
      languageOptions: { sourceType: 'script' },
      errors: blocking,
    },
  ],
});

ruleTester.run('no-sync-fs in CommonJS with shadowing', noSyncFs, {
  valid: [
    {
      name: 'a function parameter named fs hides the module',
      code: "const fs = require('fs');\nasync function f(fs) { fs.existsSync('x'); }",
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
    },
  ],
  invalid: [
    {
      name: 'require().existsSync in an async arrow',
      code: "const check = async (p) => require('fs').existsSync(p);",
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
      errors: blocking,
    },
  ],
});
