import { createCategoryRule } from './category-rule.js';

export const noSyncZlib = createCategoryRule(
  'no-sync-zlib',
  'zlib',
  'Disallow synchronous compression (`gzipSync`, `brotliCompressSync`, ...) on the event loop',
);

export default noSyncZlib;
