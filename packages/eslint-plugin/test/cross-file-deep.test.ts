import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingHelper } from '../src/rules/no-blocking-helper.js';

// Typed, over test/fixtures/cross-file-deep: the shapes issue #18 found missed in real agent repos.
// - src/mcp: a per-session createServer (server.ts) calls registerDocs (register-docs.ts), which walks a
//   docs folder with readdirSync/statSync (docs-walk.ts): three files, three hops.
// - src/skills: discoverSkills (discover.ts) reads a folder; registry.ts stores it behind an object
//   property (`getIndex: () => discoverSkills(root)`); loader.ts returns it as a closure.
// The code under test is the fixture's file.ts; `location` is the called helper's declaration and
// `blockingCall` the blocking call itself, both relative to file.ts.
const ruleTester = new RuleTester({
  languageOptions: {
    parserOptions: {
      project: './tsconfig.json',
      tsconfigRootDir: fileURLToPath(new URL('fixtures/cross-file-deep', import.meta.url)),
    },
  },
});

ruleTester.run('no-blocking-helper across several files', noBlockingHelper, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'the per-session server made at start-up',
      code: `
        import { createServer } from './src/mcp/server.js';
        export const server = createServer('docs');
      `,
    },
    {
      name: 'three hops are past maxDepth 2',
      options: [{ maxDepth: 2 }],
      code: `
        import { createServer } from './src/mcp/server.js';
        export async function handleSession(docsRoot: string) {
          return createServer(docsRoot).resources.size;
        }
      `,
    },
    {
      name: 'an async function stored in an object property',
      code: `
        import type { Registry } from './src/skills/registry.js';
        export async function list(registry: Registry) {
          return registry.getIndexLater();
        }
      `,
    },
    {
      name: 'a closure made but not called',
      code: `
        import { makeLoader } from './src/skills/loader.js';
        export async function prepare(root: string) {
          return makeLoader(root);
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'per-session createServer → registration helper → folder walk, three files',
      code: `
        import { createServer } from './src/mcp/server.js';
        export async function handleSession(docsRoot: string) {
          const server = createServer(docsRoot);
          return server.resources.size;
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: {
            helper: 'createServer',
            location: 'src/mcp/server.ts:11',
            chain: 'createServer → registerDocs → walk → fs.readdirSync',
            blockingCall: 'src/mcp/docs-walk.ts:7',
            owner: 'async function handleSession',
          },
          line: 4, column: 26, endLine: 4, endColumn: 48,
        },
      ],
    },
    {
      name: 'a function stored in an object property, called from an async method elsewhere',
      code: `
        import type { Registry } from './src/skills/registry.js';
        export class SkillTool {
          constructor(private readonly registry: Registry) {}
          async list() {
            return this.registry.getIndex().map((skill) => skill.name);
          }
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: {
            helper: 'getIndex',
            location: 'src/skills/registry.ts:6',
            chain: 'getIndex → discoverSkills → fs.readdirSync',
            blockingCall: 'src/skills/discover.ts:9',
            owner: 'async method SkillTool.list',
          },
          line: 6, column: 20, endLine: 6, endColumn: 44,
        },
      ],
    },
    {
      name: 'a returned closure, called from a handler (named by its callee)',
      code: `
        import { makeLoader } from './src/skills/loader.js';
        const load = makeLoader('skills');
        export async function handler() {
          return load();
        }
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: {
            helper: 'load',
            location: 'src/skills/loader.ts:4',
            chain: 'load → discoverSkills → fs.readdirSync',
            blockingCall: 'src/skills/discover.ts:9',
            owner: 'async function handler',
          },
          line: 5, column: 18, endLine: 5, endColumn: 24,
        },
      ],
    },
    {
      name: 'a returned closure in the middle of the chain',
      code: `
        import { refreshIndex } from './src/skills/loader.js';
        setInterval(() => refreshIndex('skills'), 60_000);
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: {
            helper: 'refreshIndex',
            location: 'src/skills/loader.ts:7',
            chain: 'refreshIndex → (closure from makeLoader) → discoverSkills → fs.readdirSync',
            blockingCall: 'src/skills/discover.ts:9',
            owner: 'setInterval callback',
          },
          line: 3, column: 27, endLine: 3, endColumn: 49,
        },
      ],
    },
    {
      name: 'the object property through a registry made in this file',
      code: `
        import { createRegistry } from './src/skills/registry.js';
        const registry = createRegistry('skills');
        export const tools = {
          async skills() {
            return registry.getIndex();
          },
        };
      `,
      errors: [
        {
          messageId: 'blockingHelper',
          data: {
            helper: 'getIndex',
            location: 'src/skills/registry.ts:6',
            chain: 'getIndex → discoverSkills → fs.readdirSync',
            blockingCall: 'src/skills/discover.ts:9',
            owner: 'async method tools.skills',
          },
          line: 6, column: 20, endLine: 6, endColumn: 39,
        },
      ],
    },
  ],
});
