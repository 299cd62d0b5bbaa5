import { createCategoryRule } from './category-rule.js';

export const noSyncSqlite = createCategoryRule(
  'no-sync-sqlite',
  'sqlite',
  'Disallow synchronous SQLite (`node:sqlite` `DatabaseSync`, better-sqlite3) on the event loop',
);

export default noSyncSqlite;
