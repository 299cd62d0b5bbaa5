import { createRequire } from 'node:module';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

/** Where the type checker says a callee is declared: a module and a path inside it, or a type's method. */
export type TypedResolution =
  | { readonly kind: 'export'; readonly module: string; readonly path: readonly string[] }
  | { readonly kind: 'method'; readonly module: string; readonly typeName: string; readonly method: string };

let typescript: typeof ts | undefined;
/** TypeScript is an optional peer: load it only when a program (so TypeScript itself) is there. */
function loadTypeScript(): typeof ts {
  typescript ??= createRequire(import.meta.url)('typescript') as typeof ts;
  return typescript;
}

/**
 * Resolves a callee by its declaration: `io.readFileSync` where `io: typeof import('node:fs')`,
 * `this.fs.statSync`, `db.prepare` on a better-sqlite3 `Database`. Used only with type information.
 */
export function resolveByType(
  services: ParserServicesWithTypeInformation,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
): TypedResolution | undefined {
  const callee = node.callee;
  const named =
    callee.type === AST_NODE_TYPES.MemberExpression ? callee.property : callee.type === AST_NODE_TYPES.Identifier ? callee : undefined;
  if (!named || named.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  const checker = services.program.getTypeChecker();
  const ts = loadTypeScript();
  let symbol = services.getSymbolAtLocation(named);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  // A local alias (`const { readFileSync } = io`): the function's own declaration comes from its type.
  const target =
    declaration && (ts.isVariableDeclaration(declaration) || ts.isBindingElement(declaration) || ts.isParameter(declaration))
      ? services.getTypeAtLocation(named).getSymbol()?.declarations?.[0]
      : declaration;
  return target ? describeDeclaration(ts, target) : undefined;
}

function describeDeclaration(ts: typeof import('typescript'), declaration: ts.Declaration): TypedResolution | undefined {
  const name = declarationName(ts, declaration);
  if (name === undefined) return undefined;
  const containers: string[] = [];
  let owningType: string | undefined;
  // `module` stays as declared: `node:sqlite` exists only with its prefix.
  const finish = (module: string): TypedResolution =>
    owningType !== undefined
      ? { kind: 'method', module, typeName: owningType, method: name }
      : { kind: 'export', module, path: [...containers, name] };
  for (let current: ts.Node = declaration.parent; ; current = current.parent) {
    if (ts.isSourceFile(current)) {
      const module = packageOfFile(current.fileName);
      if (module === undefined) return undefined;
      return finish(module);
    }
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return finish(current.name.text);
    if (ts.isClassDeclaration(current) || ts.isInterfaceDeclaration(current)) {
      if (owningType === undefined && containers.length === 0) owningType = current.name?.text;
      else return undefined;
    } else if (ts.isModuleDeclaration(current) && ts.isIdentifier(current.name)) {
      containers.unshift(current.name.text);
    }
  }
}

function declarationName(ts: typeof import('typescript'), declaration: ts.Declaration): string | undefined {
  const name = (declaration as { name?: ts.Node }).name;
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

/** `/x/node_modules/@types/better-sqlite3/index.d.ts` → `better-sqlite3`; `@types/a__b` → `@a/b`. */
function packageOfFile(fileName: string): string | undefined {
  const index = fileName.lastIndexOf('/node_modules/');
  if (index === -1) return undefined;
  const parts = fileName.slice(index + '/node_modules/'.length).split('/');
  const [first, second] = parts;
  if (first === undefined) return undefined;
  if (first === '@types' && second !== undefined) {
    return second.includes('__') ? `@${second.replace('__', '/')}` : second;
  }
  return first.startsWith('@') && second !== undefined ? `${first}/${second}` : first;
}

/** True when the call returns a Promise or other thenable: a `loadSync()` that does not block. */
export function isThenableCall(services: ParserServicesWithTypeInformation, node: TSESTree.Node): boolean {
  const checker = services.program.getTypeChecker();
  const type = services.getTypeAtLocation(node);
  return checker.getPropertyOfType(checker.getApparentType(type), 'then') !== undefined;
}
