import type * as ts from 'typescript';
import { skipOuterExpressions } from '../../util/ts-expressions.js';

/** A callee named through an import or `require()` of a module: the specifier as written and the path in it. */
export interface ModuleMember {
  /** As written: `node:fs`, `fs`, `better-sqlite3`. */
  readonly specifier: string;
  /** Export path, e.g. `['readFileSync']`, `['promises', 'readFile']`. */
  readonly path: readonly string[];
}

/**
 * Names a callee of TypeScript's AST by the import it goes back to, the way the syntactic resolver does
 * for the linted file: `readFileSync(p)` after `import { readFileSync } from 'node:fs'`, `fs.readdirSync(d)`
 * after `import * as fs from 'fs'` or `const fs = require('fs')`. For helpers in other files when the
 * checker cannot resolve the module (a program without `@types/node`: `fs` is an error type, so the
 * declaration-based resolution finds nothing). Only imports whose target the checker does not know are
 * named here, so a resolved module is never second-guessed.
 */
export function moduleMemberByName(
  ts: typeof import('typescript'),
  checker: ts.TypeChecker,
  callee: ts.Expression,
): ModuleMember | undefined {
  const path: string[] = [];
  let current = skipOuterExpressions(ts, callee);
  for (;;) {
    if (ts.isPropertyAccessExpression(current) && ts.isIdentifier(current.name)) {
      path.unshift(current.name.text);
      current = skipOuterExpressions(ts, current.expression);
    } else if (ts.isElementAccessExpression(current) && ts.isStringLiteralLike(current.argumentExpression)) {
      path.unshift(current.argumentExpression.text);
      current = skipOuterExpressions(ts, current.expression);
    } else break;
  }
  if (!ts.isIdentifier(current)) return undefined;
  const symbol = checker.getSymbolAtLocation(current);
  const declaration = symbol?.declarations?.[0];
  if (!symbol || !declaration) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias && checker.getAliasedSymbol(symbol).declarations?.length) return undefined;
  const binding = importBinding(ts, checker, declaration);
  if (!binding) return undefined;
  const full = [...binding.path, ...path];
  return { specifier: binding.specifier, path: full[0] === 'default' ? full.slice(1) : full };
}

/** What a local name is bound to: an import (or `require()`) of `specifier`, at `path` in it. */
function importBinding(
  ts: typeof import('typescript'),
  checker: ts.TypeChecker,
  declaration: ts.Declaration,
): ModuleMember | undefined {
  if (ts.isImportSpecifier(declaration)) {
    const specifier = moduleText(ts, declaration.parent.parent.parent.moduleSpecifier);
    const imported = declaration.propertyName ?? declaration.name;
    return specifier === undefined ? undefined : { specifier, path: [imported.text] };
  }
  if (ts.isNamespaceImport(declaration)) {
    const specifier = moduleText(ts, declaration.parent.parent.moduleSpecifier);
    return specifier === undefined ? undefined : { specifier, path: [] };
  }
  if (ts.isImportClause(declaration)) {
    const specifier = moduleText(ts, declaration.parent.moduleSpecifier);
    return specifier === undefined ? undefined : { specifier, path: [] };
  }
  if (ts.isImportEqualsDeclaration(declaration) && ts.isExternalModuleReference(declaration.moduleReference)) {
    const specifier = moduleText(ts, declaration.moduleReference.expression);
    return specifier === undefined ? undefined : { specifier, path: [] };
  }
  if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer) {
    // `const fs = require('fs')`: only when the checker has no type for it (otherwise it resolved it).
    if (!isAnyTyped(ts, checker, declaration.name)) return undefined;
    const specifier = requiredModule(ts, declaration.initializer);
    return specifier === undefined ? undefined : { specifier, path: [] };
  }
  if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
    // `const { readFileSync: read } = require('fs')`.
    const variable = declaration.parent.parent;
    if (!ts.isVariableDeclaration(variable) || !variable.initializer || !ts.isIdentifier(declaration.name)) return undefined;
    if (!isAnyTyped(ts, checker, declaration.name)) return undefined;
    const specifier = requiredModule(ts, variable.initializer);
    const key = declaration.propertyName ?? declaration.name;
    if (specifier === undefined || !(ts.isIdentifier(key) || ts.isStringLiteral(key))) return undefined;
    return { specifier, path: [key.text] };
  }
  return undefined;
}

function isAnyTyped(ts: typeof import('typescript'), checker: ts.TypeChecker, node: ts.Node): boolean {
  return (checker.getTypeAtLocation(node).flags & ts.TypeFlags.Any) !== 0;
}

function requiredModule(ts: typeof import('typescript'), initializer: ts.Expression): string | undefined {
  const call = skipOuterExpressions(ts, initializer);
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'require') return undefined;
  const [argument] = call.arguments;
  return argument && ts.isStringLiteralLike(argument) ? argument.text : undefined;
}

function moduleText(ts: typeof import('typescript'), specifier: ts.Expression): string | undefined {
  return ts.isStringLiteralLike(specifier) ? specifier.text : undefined;
}

