import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { normalizeModuleName } from '@agent-lag/catalog';
import { globalReferences } from '../analysis/resolve/roots.js';
import { staticKeyOf, staticStringOf } from '../analysis/resolve/static-key.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

/** A named binding the suggestion needs, e.g. `readFile` from `node:fs/promises`. */
export interface NeededBinding {
  readonly module: string;
  readonly name: string;
}

function requiredModule(node: TSESTree.Node | null | undefined): string | undefined {
  if (
    node?.type !== AST_NODE_TYPES.CallExpression ||
    node.callee.type !== AST_NODE_TYPES.Identifier ||
    node.callee.name !== 'require'
  ) {
    return undefined;
  }
  const specifier = staticStringOf(node.arguments[0]);
  return specifier === undefined ? undefined : normalizeModuleName(specifier);
}

function isRequireOf(node: TSESTree.Node | null | undefined, module: string): boolean {
  return requiredModule(node) === module;
}

/**
 * The local name of an existing top-level named import (or destructured `require`) of `binding`,
 * so the suggestion reuses it instead of importing twice.
 */
export function findExistingBinding(program: TSESTree.Program, binding: NeededBinding): string | undefined {
  const module = normalizeModuleName(binding.module);
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
      if (statement.importKind === 'type' || normalizeModuleName(statement.source.value) !== module) continue;
      for (const specifier of statement.specifiers) {
        if (
          specifier.type === AST_NODE_TYPES.ImportSpecifier &&
          specifier.importKind !== 'type' &&
          staticKeyOf(specifier.imported, false) === binding.name
        ) {
          return specifier.local.name;
        }
      }
    } else if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const declarator of statement.declarations) {
        if (declarator.id.type !== AST_NODE_TYPES.ObjectPattern || !isRequireOf(declarator.init, module)) continue;
        for (const property of declarator.id.properties) {
          if (
            property.type === AST_NODE_TYPES.Property &&
            staticKeyOf(property.key, property.computed) === binding.name &&
            property.value.type === AST_NODE_TYPES.Identifier
          ) {
            return property.value.name;
          }
        }
      }
    }
  }
  return undefined;
}

/** True when declaring `name` at module level would clash with a binding visible at `node`. */
export function isNameTaken(sourceCode: SourceCode, node: TSESTree.Node, name: string): boolean {
  for (let scope: TSESLint.Scope.Scope | null = sourceCode.getScope(node); scope; scope = scope.upper) {
    if (scope.set.has(name)) return true;
    if (scope.upper === null && scope.through.some((reference) => reference.identifier.name === name)) return true;
  }
  return false;
}

const MODULE_SYNTAX = new Set<string>([
  AST_NODE_TYPES.ImportDeclaration,
  AST_NODE_TYPES.ExportNamedDeclaration,
  AST_NODE_TYPES.ExportDefaultDeclaration,
  AST_NODE_TYPES.ExportAllDeclaration,
]);

/**
 * CommonJS when the file has no import/export syntax and is a script or calls the global `require`
 * (typescript-estree reports `sourceType: 'module'` for `commonjs` files too).
 */
function isCommonJs(sourceCode: SourceCode): boolean {
  const program = sourceCode.ast;
  if (program.body.some((statement) => MODULE_SYNTAX.has(statement.type))) return false;
  if (program.sourceType === 'script') return true;
  const globalScope = sourceCode.scopeManager?.globalScope;
  return globalScope ? globalReferences(globalScope, 'require').length > 0 : false;
}

/** One fix that adds every missing binding as an import (ESM) or destructured `require` (CJS). */
export function addBindings(
  sourceCode: SourceCode,
  fixer: TSESLint.RuleFixer,
  bindings: readonly NeededBinding[],
): TSESLint.RuleFix | undefined {
  if (bindings.length === 0) return undefined;
  const commonJs = isCommonJs(sourceCode);
  if (!commonJs) {
    const extended = extendExistingImport(sourceCode.ast, fixer, bindings);
    if (extended) return extended;
  }
  const lines = bindings.map(({ module, name }) =>
    commonJs ? `const { ${name} } = require('${module}');` : `import { ${name} } from '${module}';`,
  );
  const program = sourceCode.ast;
  const header = program.body.filter((statement) =>
    commonJs
      ? statement.type === AST_NODE_TYPES.VariableDeclaration &&
        statement.declarations.some((declarator) => requiredModule(declarator.init) !== undefined)
      : statement.type === AST_NODE_TYPES.ImportDeclaration,
  );
  const last = header.at(-1);
  if (last) return fixer.insertTextAfter(last, `\n${lines.join('\n')}`);
  const first = program.body.find(
    (statement) => !(statement.type === AST_NODE_TYPES.ExpressionStatement && statement.directive !== undefined),
  );
  const directives = program.body.filter(
    (statement) => statement.type === AST_NODE_TYPES.ExpressionStatement && statement.directive !== undefined,
  );
  const lastDirective = directives.at(-1);
  if (lastDirective) return fixer.insertTextAfter(lastDirective, `\n${lines.join('\n')}`);
  if (first) return fixer.insertTextBefore(first, `${lines.join('\n')}\n`);
  return fixer.insertTextAfterRange([0, 0], `${lines.join('\n')}\n`);
}

/** `import { a } from 'm'` + `b` from `m` → `import { a, b } from 'm'` when it is the only binding needed. */
function extendExistingImport(
  program: TSESTree.Program,
  fixer: TSESLint.RuleFixer,
  bindings: readonly NeededBinding[],
): TSESLint.RuleFix | undefined {
  const [binding, ...others] = bindings;
  if (!binding || others.length > 0) return undefined;
  const module = normalizeModuleName(binding.module);
  for (const statement of program.body) {
    if (
      statement.type !== AST_NODE_TYPES.ImportDeclaration ||
      statement.importKind === 'type' ||
      normalizeModuleName(statement.source.value) !== module
    ) {
      continue;
    }
    const last = statement.specifiers.at(-1);
    if (last?.type === AST_NODE_TYPES.ImportSpecifier) return fixer.insertTextAfter(last, `, ${binding.name}`);
  }
  return undefined;
}
