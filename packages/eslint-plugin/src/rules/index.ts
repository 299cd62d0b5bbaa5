import { noAtomicsWait } from './no-atomics-wait.js';
import { noBlockingApi } from './no-blocking-api.js';
import { noBlockingHelper } from './no-blocking-helper.js';
import { noBusyWait } from './no-busy-wait.js';
import { noSyncChildProcess } from './no-sync-child-process.js';
import { noSyncCrypto } from './no-sync-crypto.js';
import { noSyncFs } from './no-sync-fs.js';
import { noSyncSqlite } from './no-sync-sqlite.js';
import { noSyncThirdParty } from './no-sync-third-party.js';
import { noSyncZlib } from './no-sync-zlib.js';

/** The per-category rules: one catalog category each, on the shared engine. */
export const categoryRules = {
  'no-sync-fs': noSyncFs,
  'no-sync-child-process': noSyncChildProcess,
  'no-sync-crypto': noSyncCrypto,
  'no-sync-zlib': noSyncZlib,
  'no-atomics-wait': noAtomicsWait,
  'no-sync-sqlite': noSyncSqlite,
  'no-sync-third-party': noSyncThirdParty,
};

export const rules = {
  ...categoryRules,
  'no-blocking-api': noBlockingApi,
  'no-busy-wait': noBusyWait,
  'no-blocking-helper': noBlockingHelper,
};
