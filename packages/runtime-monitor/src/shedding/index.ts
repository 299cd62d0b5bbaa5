export { ShedGate, DEFAULT_HEALTH_PATHS, defaultShedResponse } from './gate.js';
export type { ShedInfo, ShedOptions, ShedResponse } from './gate.js';
export { Shedder, DEFAULT_SHED_LIMITS } from './shedder.js';
export type { ShedLimits, ShedReason, ShedState, ShedderOptions } from './shedder.js';
export { compilePathMatcher, pathOf } from './route-matcher.js';
