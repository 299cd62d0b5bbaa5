import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import type * as ts from 'typescript';
import { findCatalogApi, findCatalogMethod } from '../../catalog/index.js';

/** A sync function of the program, in another file, whose body blocks the event loop. */
export interface BlockingHelper {
  /** `loadConfig`, `Store.read`. */
  readonly name: string;
  /** `lib/config.ts:12`, relative to the directory of the file being linted. */
  readonly location: string;
  /** Canonical blocking API it ends up calling: `fs.readFileSync`. */
  readonly api: string;
  /** Helpers between this one and the blocking call, outermost first: `['parse', 'read']`. */
  readonly via: readonly string[];
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction;
type Finding = { readonly api: string; readonly via: readonly string[] } | null;

let typescript: typeof ts | undefined;
/** TypeScript is an optional peer: load it only when a program (so TypeScript itself) exists. */
function loadTypeScript(): typeof ts {
  typescript ??= createRequire(import.meta.url)('typescript') as typeof ts;
  return typescript;
}

/** Array-style methods that call their callback before returning: their callbacks are part of the body. */
const SYNC_INVOKING_METHODS: ReadonlySet<string> = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'flatMap', 'sort',
]);

// Per declaration and remaining depth, for the life of its program: every file that calls a helper
// shares one analysis (typescript-eslint keeps the program between files).
const findingsByBudget = new Map<number, WeakMap<ts.Node, Finding>>();

function findingsFor(budget: number): WeakMap<ts.Node, Finding> {
  let findings = findingsByBudget.get(budget);
  if (!findings) {
    findings = new WeakMap();
    findingsByBudget.set(budget, findings);
  }
  return findings;
}

/**
 * Follows calls from TS AST into helper bodies with the type checker: symbol → declaration → body,
 * and recognises blocking callees by where the checker says they are declared (`declare module "fs"`,
 * a package's `.d.ts`, the `Atomics` global), so imports, namespaces, aliases and re-exports all work.
 */
export class CrossFileAnalysis {
  private readonly ts = loadTypeScript();
  private readonly checker: ts.TypeChecker;

  constructor(
    private readonly program: ts.Program,
    private readonly maxDepth: number,
  ) {
    this.checker = program.getTypeChecker();
  }

  /** The blocking helper `call` invokes, when it is a sync function of another project file. */
  blockingHelperOf(call: ts.CallExpression, currentFile: ts.SourceFile): BlockingHelper | undefined {
    const helper = this.projectFunctionOf(call);
    if (!helper || helper.getSourceFile() === currentFile) return undefined;
    const finding = this.analyze(helper, 1);
    if (!finding) return undefined;
    return { name: functionName(this.ts, helper), location: locationOf(helper, currentFile), api: finding.api, via: finding.via };
  }

  /** The sync, non-generator function with a body, declared in a project (not library) file, that `call` calls. */
  private projectFunctionOf(call: ts.CallExpression): FunctionLike | undefined {
    const ts = this.ts;
    const declaration = this.declarationOf(call.expression);
    if (!declaration) return undefined;
    let fn: ts.Node = declaration;
    if (ts.isVariableDeclaration(fn) && fn.initializer) fn = skipOuterExpressions(ts, fn.initializer);
    else if (ts.isPropertyDeclaration(fn) && fn.initializer) fn = skipOuterExpressions(ts, fn.initializer);
    else if (ts.isPropertyAssignment(fn)) fn = skipOuterExpressions(ts, fn.initializer);
    if (
      !(ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) ||
      !fn.body ||
      fn.asteriskToken ||
      ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async
    ) {
      return undefined;
    }
    const file = fn.getSourceFile();
    if (file.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(file) || file.fileName.includes('/node_modules/')) {
      return undefined;
    }
    return fn;
  }

  private declarationOf(callee: ts.Expression): ts.Declaration | undefined {
    const ts = this.ts;
    const expression = skipOuterExpressions(ts, callee);
    const named = ts.isPropertyAccessExpression(expression) ? expression.name : ts.isIdentifier(expression) ? expression : undefined;
    if (!named) return undefined;
    let symbol = this.checker.getSymbolAtLocation(named);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  }

  private analyze(fn: FunctionLike, depth: number): Finding {
    const findings = findingsFor(this.maxDepth - depth);
    const known = findings.get(fn);
    if (known !== undefined) return known;
    // Provisional null breaks recursion cycles; the real result replaces it below.
    findings.set(fn, null);
    const finding = this.scan(fn, depth);
    findings.set(fn, finding);
    return finding;
  }

  private scan(fn: FunctionLike, depth: number): Finding {
    const ts = this.ts;
    let result: Finding = null;
    const visit = (node: ts.Node): void => {
      if (result) return;
      if (node !== fn && ts.isFunctionLike(node) && !this.isSyncInvokedCallback(node)) return;
      if (node !== fn && (ts.isClassDeclaration(node) || ts.isClassExpression(node))) return;
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const api = this.blockingApiOf(node);
        if (api) {
          result = { api, via: [] };
          return;
        }
        if (ts.isCallExpression(node) && depth < this.maxDepth) {
          const inner = this.projectFunctionOf(node);
          const found = inner && inner !== fn ? this.analyze(inner, depth + 1) : null;
          if (found && inner) {
            result = { api: found.api, via: [functionName(ts, inner), ...found.via] };
            return;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) ts.forEachChild(fn.body, visit);
    return result;
  }

  private isSyncInvokedCallback(node: ts.Node): boolean {
    const ts = this.ts;
    const parent = node.parent;
    if (!(ts.isArrowFunction(node) || ts.isFunctionExpression(node)) || !ts.isCallExpression(parent)) return false;
    const callee = parent.expression;
    return ts.isPropertyAccessExpression(callee) && SYNC_INVOKING_METHODS.has(callee.name.text);
  }

  /** `randomBytes(n, cb)`: the last argument is something callable. */
  private passesCallback(node: ts.CallExpression | ts.NewExpression): boolean {
    const last = node.arguments?.at(-1);
    return last !== undefined && this.checker.getTypeAtLocation(last).getCallSignatures().length > 0;
  }

  /** The catalog id of the blocking API `node` calls, if it calls one. */
  private blockingApiOf(node: ts.CallExpression | ts.NewExpression): string | undefined {
    const ts = this.ts;
    const declaration = this.declarationOf(node.expression);
    if (!declaration) return undefined;
    const origin = declarationOrigin(ts, declaration);
    if (!origin) return undefined;
    if (origin.kind === 'method') return findCatalogMethod(origin.module, origin.typeName, origin.method)?.id;
    const api = findCatalogApi(origin.module, origin.path);
    if (!api) return undefined;
    if (api.kind === 'construct' ? !ts.isNewExpression(node) : ts.isNewExpression(node)) return undefined;
    if (api.blockingUnless === 'callback' && this.passesCallback(node)) return undefined;
    return api.id;
  }
}

/** `lib/config.ts:12`: relative to the linted file, like the import that leads there. */
function locationOf(node: ts.Node, from: ts.SourceFile): string {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${relative(dirname(from.fileName), file.fileName).split(sep).join('/')}:${line + 1}`;
}

type Origin =
  | { readonly kind: 'export'; readonly module: string | null; readonly path: readonly string[] }
  | { readonly kind: 'method'; readonly module: string; readonly typeName: string; readonly method: string };

/**
 * Where a library declaration lives: `declare module "fs" { function readFileSync }` → `fs` +
 * `['readFileSync']`; a package's own `.d.ts` → its package name; `interface Atomics { wait }` in the
 * default library → the global `Atomics.wait`. Project files are not libraries: undefined.
 */
function declarationOrigin(ts: typeof import('typescript'), declaration: ts.Declaration): Origin | undefined {
  const nameNode = (declaration as { name?: ts.Node }).name;
  if (!nameNode || !(ts.isIdentifier(nameNode) || ts.isStringLiteral(nameNode))) return undefined;
  const name = nameNode.text;
  const containers: string[] = [];
  let owningType: string | undefined;
  const finish = (module: string | null): Origin | undefined => {
    if (owningType === undefined) return { kind: 'export', module, path: [...containers, name] };
    if (module === null) return { kind: 'export', module, path: [owningType, name] };
    return { kind: 'method', module, typeName: owningType, method: name };
  };
  for (let current: ts.Node = declaration.parent; ; current = current.parent) {
    if (ts.isSourceFile(current)) {
      if (/\/typescript\/lib\/lib\.[^/]*\.d\.ts$/.test(current.fileName)) return finish(null);
      const module = packageOfFile(current.fileName);
      return module === undefined ? undefined : finish(module);
    }
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return finish(current.name.text);
    if (ts.isClassDeclaration(current) || ts.isInterfaceDeclaration(current)) {
      if (owningType !== undefined || containers.length > 0) return undefined;
      owningType = current.name?.text;
    } else if (ts.isModuleDeclaration(current) && ts.isIdentifier(current.name)) {
      containers.unshift(current.name.text);
    }
  }
}

/** `/x/node_modules/@types/better-sqlite3/index.d.ts` → `better-sqlite3`; `@types/a__b` → `@a/b`. */
function packageOfFile(fileName: string): string | undefined {
  const index = fileName.lastIndexOf('/node_modules/');
  if (index === -1) return undefined;
  const [first, second] = fileName.slice(index + '/node_modules/'.length).split('/');
  if (first === undefined) return undefined;
  if (first === '@types' && second !== undefined) return second.includes('__') ? `@${second.replace('__', '/')}` : second;
  return first.startsWith('@') && second !== undefined ? `${first}/${second}` : first;
}

function skipOuterExpressions(ts: typeof import('typescript'), node: ts.Expression): ts.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function functionName(ts: typeof import('typescript'), fn: FunctionLike): string {
  const own = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name.text : undefined;
  const parent = fn.parent;
  if (ts.isMethodDeclaration(fn) || ts.isPropertyDeclaration(parent)) {
    const cls = ts.isMethodDeclaration(fn) ? fn.parent : parent.parent;
    const member = own ?? (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : '?');
    const className = ts.isClassLike(cls) && cls.name ? cls.name.text : undefined;
    return className ? `${className}.${member}` : member;
  }
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return own ?? '(anonymous function)';
}
