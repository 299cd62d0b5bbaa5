import { createCategoryRule } from './category-rule.js';

export const noSyncThirdParty = createCategoryRule(
  'no-sync-third-party',
  'third-party',
  'Disallow common third-party sync APIs (fs-extra, glob, fast-glob, execa, bcrypt) on the event loop',
);

export default noSyncThirdParty;
