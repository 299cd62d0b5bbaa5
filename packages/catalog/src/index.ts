export type {
  AsyncEquivalent,
  AsyncOnlyModule,
  BlockingApi,
  BlockingApiKind,
  BlockingCategory,
  BlockingGlobal,
  CheapUpTo,
  CostFactor,
  InstanceSource,
} from './types.js';
export { ASYNC_ONLY, BLOCKING_APIS, BLOCKING_GLOBALS, CATEGORIES, INSTANCE_SOURCES, PREFIX_ONLY_BUILTINS } from './apis.js';
export {
  BLOCKING_MODULES,
  findBlockingApis,
  findBlockingCall,
  findBlockingGlobal,
  getApiById,
  isSameModule,
  normalizeModuleName,
} from './lookup.js';
