import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { staticKeyOf, staticStringOf } from './static-key.js';
import type { ValueTracer } from './trace.js';

type Scope = TSESLint.Scope.Scope;
type Reference = TSESLint.Scope.Reference;

/** Decides which module specifiers (as written, `node:fs`) are worth tracing. */
export type ModuleFilter = (specifier: string) => boolean;

/**
 * References to the real global `name`: unresolved references plus references to a global the config
 * declares (or TypeScript's lib declares). A local of the same name shadows it, so its references are
 * not included.
 */
export function globalReferences(globalScope: Scope, name: string): Reference[] {
  const references = new Set<Reference>();
  const variable = globalScope.set.get(name);
  // Configured and lib globals have no definitions; a `var Atomics = ...` in a script is the user's own.
  if (variable && variable.defs.length === 0) {
    for (const reference of variable.references) references.add(reference);
  }
  for (const reference of globalScope.through) {
    if (reference.identifier.name === name) references.add(reference);
  }
  return [...references];
}

/** `import fs from 'node:fs'`, `import { readFileSync as read } from 'fs'`, `import fs = require('fs')`. */
export function traceStaticImports(program: TSESTree.Program, tracer: ValueTracer, isTracked: ModuleFilter): void {
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
      const specifier = statement.source.value;
      if (statement.importKind === 'type' || !isTracked(specifier)) continue;
      const origin = { kind: 'module', specifier } as const;
      for (const binding of statement.specifiers) {
        if (binding.type === AST_NODE_TYPES.ImportSpecifier) {
          if (binding.importKind === 'type') continue;
          const imported = staticKeyOf(binding.imported, false);
          if (imported === undefined) continue;
          tracer.tracePattern(binding.local, origin, imported === 'default' ? [] : [imported]);
        } else {
          // Default and namespace imports of a CommonJS-shaped module both give the module object.
          tracer.tracePattern(binding.local, origin, []);
        }
      }
    } else if (
      statement.type === AST_NODE_TYPES.TSImportEqualsDeclaration &&
      statement.importKind !== 'type' &&
      statement.moduleReference.type === AST_NODE_TYPES.TSExternalModuleReference
    ) {
      const specifier = staticStringOf(statement.moduleReference.expression);
      if (specifier !== undefined && isTracked(specifier)) {
        tracer.tracePattern(statement.id, { kind: 'module', specifier }, []);
      }
    }
  }
}

/** `require('fs')` anywhere, through the global `require` or a module-level `createRequire(...)` result. */
export function traceRequireCalls(globalScope: Scope, tracer: ValueTracer, isTracked: ModuleFilter): void {
  const references = globalReferences(globalScope, 'require');
  for (const scope of globalScope.childScopes) {
    // ESM: `const require = createRequire(import.meta.url)`.
    const local = scope.set.get('require');
    const init = local?.defs[0]?.node;
    if (
      init?.type === AST_NODE_TYPES.VariableDeclarator &&
      init.init?.type === AST_NODE_TYPES.CallExpression &&
      calleeName(init.init.callee) === 'createRequire'
    ) {
      references.push(...(local?.references ?? []));
    }
  }
  for (const reference of references) traceLoaderCall(reference.identifier, tracer, isTracked);
}

/** `process.getBuiltinModule('fs')` on the global `process`. */
export function traceGetBuiltinModule(globalScope: Scope, tracer: ValueTracer, isTracked: ModuleFilter): void {
  for (const reference of globalReferences(globalScope, 'process')) {
    const member = reference.identifier.parent;
    if (
      member?.type === AST_NODE_TYPES.MemberExpression &&
      member.object === reference.identifier &&
      staticKeyOf(member.property, member.computed) === 'getBuiltinModule'
    ) {
      traceLoaderCall(member, tracer, isTracked);
    }
  }
}

/** `import('node:fs')`: the value (once awaited) is the module namespace. */
export function traceDynamicImport(node: TSESTree.ImportExpression, tracer: ValueTracer, isTracked: ModuleFilter): void {
  const specifier = staticStringOf(node.source);
  if (specifier !== undefined && isTracked(specifier)) tracer.traceValue(node, { kind: 'module', specifier }, []);
}

/** Globals whose members block (`Atomics.wait`), also reached as `globalThis.Atomics.wait`. */
export function traceGlobals(globalScope: Scope, tracer: ValueTracer, roots: readonly string[]): void {
  const origin = { kind: 'global' } as const;
  for (const root of roots) {
    for (const reference of globalReferences(globalScope, root)) tracer.traceValue(reference.identifier, origin, [root]);
  }
  for (const reference of globalReferences(globalScope, 'globalThis')) {
    tracer.traceValue(reference.identifier, origin, []);
  }
}

function traceLoaderCall(callee: TSESTree.Node, tracer: ValueTracer, isTracked: ModuleFilter): void {
  const call = callee.parent;
  if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== callee) return;
  const specifier = staticStringOf(call.arguments[0]);
  if (specifier !== undefined && isTracked(specifier)) tracer.traceValue(call, { kind: 'module', specifier }, []);
}

function calleeName(callee: TSESTree.Node): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return staticKeyOf(callee.property, callee.computed);
  return undefined;
}
