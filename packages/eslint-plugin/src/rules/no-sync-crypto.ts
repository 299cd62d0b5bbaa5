import { createCategoryRule } from './category-rule.js';

export const noSyncCrypto = createCategoryRule(
  'no-sync-crypto',
  'crypto',
  'Disallow synchronous crypto (`pbkdf2Sync`, `scryptSync`, `randomBytes` without a callback, ...) on the event loop',
);

export default noSyncCrypto;
