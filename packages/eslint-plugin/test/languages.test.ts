import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncChildProcess } from '../src/rules/no-sync-child-process.js';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

// The same resolution in every language the plugin meets: TS, TSX, JS ESM and JS CommonJS.
const ruleTester = new RuleTester();
const assertionOptions = { requireLocation: true, requireData: true };
// The catalog's reason for each API, as the message prints it after the colon.
const why = {
  childProcess: 'waits for the child process to exit; nothing else runs meanwhile',
  fs: 'waits for the file system on the main thread',
};

ruleTester.run('no-sync-child-process across languages', noSyncChildProcess, {
  assertionOptions,
  valid: [
    {
      name: 'CJS: module-level require and top-level call is start-up',
      filename: 'file.cjs',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        const { execSync } = require('child_process');
        const rev = execSync('git rev-parse HEAD');
      `,
    },
  ],
  invalid: [
    {
      name: 'TSX component with an async event handler',
      filename: 'component.tsx',
      languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
      code: `
        import { execSync } from 'node:child_process';
        export const Button = () => (
          <button
            onClick={async () => {
              execSync('ls');
            }}
          />
        );
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.execSync', category: 'child-process',
            why: why.childProcess, owner: 'async arrow function',
          },
          line: 6, column: 15, endLine: 6, endColumn: 29,
          suggestions: [],
        },
      ],
    },
    {
      name: 'JS ESM',
      filename: 'tools.mjs',
      code: `
        import { execSync } from 'node:child_process';
        export async function shell(command) {
          return execSync(command, { encoding: 'utf8' });
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.execSync', category: 'child-process',
            why: why.childProcess, owner: 'async function shell',
          },
          line: 4, column: 18, endLine: 4, endColumn: 57,
          suggestions: [],
        },
      ],
    },
    {
      name: 'JS CommonJS with require inside the handler',
      filename: 'tools.cjs',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        module.exports.shell = async function shell(command) {
          const cp = require('node:child_process');
          return cp.spawnSync('sh', ['-c', command]);
        };
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.spawnSync', category: 'child-process',
            why: why.childProcess, owner: 'async function shell',
          },
          line: 4, column: 18, endLine: 4, endColumn: 53,
          suggestions: [],
        },
      ],
    },
    {
      name: 'JS script with a destructured, renamed require',
      filename: 'git.js',
      languageOptions: { sourceType: 'script' },
      code: `
        const { execFileSync: run } = require('child_process');
        async function git(args) {
          return run('git', args);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: {
            api: 'child_process.execFileSync', category: 'child-process',
            why: why.childProcess, owner: 'async function git',
          },
          line: 4, column: 18, endLine: 4, endColumn: 34,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('no-sync-fs in CommonJS with shadowing', noSyncFs, {
  assertionOptions,
  valid: [
    {
      name: 'a function parameter named fs hides the module',
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        const fs = require('fs');
        async function f(fs) {
          fs.existsSync('x');
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'require().existsSync in an async arrow',
      filename: 'file.js',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        const check = async (p) => require('fs').existsSync(p);
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.existsSync', category: 'fs', why: why.fs, owner: 'async function check' },
          line: 2, column: 36, endLine: 2, endColumn: 63,
          suggestions: [],
        },
      ],
    },
  ],
});
