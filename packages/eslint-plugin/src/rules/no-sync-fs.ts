import { createCategoryRule } from './category-rule.js';

export const noSyncFs = createCategoryRule(
  'no-sync-fs',
  'fs',
  'Disallow synchronous file system calls (`fs.*Sync`, `Dir#readSync`) on the event loop',
);

export default noSyncFs;
