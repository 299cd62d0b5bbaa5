import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBlockingApi } from '../src/rules/no-blocking-api.js';

// A team's own blocking APIs, listed as module + export pattern + message (like flake8-async ASYNC200).
const ruleTester = new RuleTester();
const apis = [
  { module: 'legacy-db', export: 'querySync', message: 'use queryAsync() instead' },
  { module: '@acme/storage', export: '*Sync' },
  { module: 'node:os', export: 'cpus' },
  { module: 'config-loader', export: 'default' },
];

ruleTester.run('no-blocking-api', noBlockingApi, {
  valid: [
    { name: 'no list, no reports', code: "import { querySync } from 'legacy-db';\nexport async function f() { querySync('x'); }" },
    { name: 'other exports of a listed module', code: "import { queryAsync } from 'legacy-db';\nexport async function f() { await queryAsync('x'); }", options: [{ apis }] },
    { name: 'start-up use of a listed API', code: "import { querySync } from 'legacy-db';\nexport const rows = querySync('x');", options: [{ apis }] },
    { name: 'the pattern matches a whole segment, not a prefix', code: "import storage from '@acme/storage';\nexport async function f() { storage.openSyncStream(); }", options: [{ apis }] },
    { name: 'allow wins over the list', code: "import os from 'node:os';\nexport async function f() { os.cpus(); }", options: [{ apis, allow: ['node:os.cpus'] }] },
  ],
  invalid: [
    {
      name: 'named import, with the message from the list',
      code: "import { querySync } from 'legacy-db';\nexport async function f() { querySync('x'); }",
      options: [{ apis }],
      errors: [{ messageId: 'blocking', data: { api: 'legacy-db.querySync', category: 'user', owner: 'async function f', why: 'use queryAsync() instead' } }],
    },
    { name: 'wildcard export pattern through require', code: "const storage = require('@acme/storage');\nexport async function f() { storage.readBlobSync('k'); storage.writeSync('k'); }", options: [{ apis }], errors: [{ messageId: 'blocking' }, { messageId: 'blocking' }] },
    { name: 'built-in listed with node: matches without it', code: "import { cpus } from 'os';\nexport async function f() { return cpus(); }", options: [{ apis }], errors: [{ messageId: 'blocking' }] },
    { name: 'default export (the module value) called', code: "import load from 'config-loader';\nexport async function f() { return load(); }", options: [{ apis }], errors: [{ messageId: 'blocking' }] },
  ],
});
