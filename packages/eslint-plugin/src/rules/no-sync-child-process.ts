import { createCategoryRule } from './category-rule.js';

export const noSyncChildProcess = createCategoryRule(
  'no-sync-child-process',
  'child-process',
  'Disallow `execSync`, `execFileSync` and `spawnSync` on the event loop',
);

export default noSyncChildProcess;
