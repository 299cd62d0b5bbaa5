import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import {
  traceDynamicImport,
  traceGetBuiltinModule,
  traceGlobals,
  traceRequireCalls,
  traceStaticImports,
  type ModuleFilter,
} from './roots.js';
import { ValueTracer, type ValueUse } from './trace.js';

export type { ModuleFilter } from './roots.js';
export { climbTransparentWrappers, ValueTracer, type Origin, type UseKind, type ValueUse } from './trace.js';
export { resolveByType, isThenableCall, type TypedResolution } from './typed.js';
export { moduleMemberByName, type ModuleMember } from './by-name.js';
export { hasNodeTypes, projectNameOf, warnOnceWithoutNodeTypes } from './node-types.js';

export interface TraceRequest {
  /** Module specifiers to follow (as written, e.g. `node:fs`). */
  readonly isTracked: ModuleFilter;
  /** Global roots to follow, e.g. `Atomics`. */
  readonly globals: readonly string[];
  /** The file's `import()` expressions (found by the engine's single walk). */
  readonly dynamicImports: readonly TSESTree.ImportExpression[];
}

/** Every call, `new` and argument use of a tracked module's or global's members in one file. */
export function traceFile(sourceCode: Readonly<TSESLint.SourceCode>, request: TraceRequest): readonly ValueUse[] {
  const tracer = new ValueTracer(sourceCode);
  const globalScope = sourceCode.scopeManager?.globalScope;
  traceStaticImports(sourceCode.ast, tracer, request.isTracked);
  for (const node of request.dynamicImports) traceDynamicImport(node, tracer, request.isTracked);
  if (globalScope) {
    traceRequireCalls(globalScope, tracer, request.isTracked);
    traceGetBuiltinModule(globalScope, tracer, request.isTracked);
    traceGlobals(globalScope, tracer, request.globals);
  }
  return tracer.uses;
}
