import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import type * as ts from 'typescript';
import { isCheapTsCall } from '../../catalog/cost-ts.js';
import { findCatalogApi, findCatalogMethod, isAsyncOnly, type ApiInfo } from '../../catalog/index.js';
import { moduleMemberByName } from '../resolve/index.js';
import { skipOuterExpressions } from '../../util/ts-expressions.js';

/** A sync function of the program, in another file, whose body blocks the event loop. */
export interface BlockingHelper {
  /** `loadConfig`, `Store.read`; for an anonymous function (a returned closure), the callee as written. */
  readonly name: string;
  /** `lib/config.ts:12`: the helper's declaration, relative to the directory of the file being linted. */
  readonly location: string;
  /** Canonical blocking API it ends up calling: `fs.readFileSync`. */
  readonly api: string;
  /** Helpers between this one and the blocking call, outermost first: `['parse', 'read']`. */
  readonly via: readonly string[];
  /** `lib/walk.ts:9`: the blocking call itself (the line to change), relative like `location`. */
  readonly blockingCall: string;
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction;

/** What one function's own body does: its first blocking call, else the project functions it calls. */
interface Summary {
  readonly blocking: { readonly api: string; readonly call: ts.Node } | null;
  readonly callees: readonly FunctionLike[];
}

/** The shortest chain from a helper to a blocking call: the functions walked, outermost first. */
interface Path {
  readonly functions: readonly FunctionLike[];
  readonly api: string;
  readonly call: ts.Node;
}

interface ProgramCache {
  readonly summaries: WeakMap<FunctionLike, Summary>;
  /** Per `maxDepth`: the search's result for each helper asked about. */
  readonly paths: Map<number, WeakMap<FunctionLike, Path | null>>;
}

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

/**
 * How many functions one search may look at: a request handler that reaches half the program through
 * registries and factories must not make a lint run quadratic. Summaries are cached per program, so this
 * bounds the walk over the call graph, not repeated parsing. Past it the helper counts as not blocking.
 */
export const MAX_FUNCTIONS_PER_SEARCH = 2000;

// Per program, not per node: typescript-eslint keeps one program per project between files (so every
// file that calls a helper shares one analysis), and a rebuilt program may reuse an unchanged file's
// nodes while what their calls resolve to has changed.
const caches = new WeakMap<ts.Program, ProgramCache>();

function cacheOf(program: ts.Program): ProgramCache {
  let cache = caches.get(program);
  if (!cache) {
    cache = { summaries: new WeakMap(), paths: new Map() };
    caches.set(program, cache);
  }
  return cache;
}

/**
 * Follows calls from TS AST into helper bodies with the type checker, across any number of files:
 * callee → symbol → declaration → body, or, when the callee is a value (a function stored in an object
 * property, a closure another function returned), the declaration of the signature the checker resolved
 * the call to. Blocking callees are recognised by where the checker says they are declared (`declare
 * module "fs"`, a package's `.d.ts`, the `Atomics` global), or by the import they go back to when the
 * program lacks the module's types. The search is breadth-first, so the chain reported is the shortest.
 */
export class CrossFileAnalysis {
  private readonly ts = loadTypeScript();
  private readonly checker: ts.TypeChecker;
  private readonly cache: ProgramCache;

  constructor(
    private readonly program: ts.Program,
    private readonly maxDepth: number,
  ) {
    this.checker = program.getTypeChecker();
    this.cache = cacheOf(program);
  }

  /** The blocking helper `call` invokes, when it is a sync function of another project file. */
  blockingHelperOf(call: ts.CallExpression, currentFile: ts.SourceFile): BlockingHelper | undefined {
    const helper = this.projectFunctionOf(call);
    if (!helper || helper.getSourceFile() === currentFile) return undefined;
    const path = this.pathFrom(helper);
    if (!path) return undefined;
    const ts = this.ts;
    const name = functionName(ts, helper) ?? skipOuterExpressions(ts, call.expression).getText();
    return {
      name,
      location: locationOf(helper, currentFile),
      api: path.api,
      via: path.functions.slice(1).map((fn) => functionName(ts, fn) ?? anonymousName(ts, fn)),
      blockingCall: locationOf(path.call, currentFile),
    };
  }

  /** Breadth-first from `helper` to the nearest function that calls a blocking API itself. */
  private pathFrom(helper: FunctionLike): Path | null {
    let byHelper = this.cache.paths.get(this.maxDepth);
    if (!byHelper) {
      byHelper = new WeakMap();
      this.cache.paths.set(this.maxDepth, byHelper);
    }
    const known = byHelper.get(helper);
    if (known !== undefined) return known;
    const result = this.search(helper);
    byHelper.set(helper, result);
    return result;
  }

  private search(helper: FunctionLike): Path | null {
    // `caller` of each function reached, to rebuild the chain; depth 1 is the helper's own body.
    const caller = new Map<FunctionLike, FunctionLike | null>([[helper, null]]);
    let level: FunctionLike[] = [helper];
    let looked = 0;
    for (let depth = 1; depth <= this.maxDepth && level.length > 0; depth++) {
      const next: FunctionLike[] = [];
      for (const fn of level) {
        if (++looked > MAX_FUNCTIONS_PER_SEARCH) return null;
        const summary = this.summaryOf(fn);
        if (summary.blocking) {
          const functions: FunctionLike[] = [];
          for (let at: FunctionLike | null | undefined = fn; at; at = caller.get(at)) functions.unshift(at);
          return { functions, api: summary.blocking.api, call: summary.blocking.call };
        }
        for (const callee of summary.callees) {
          if (caller.has(callee)) continue;
          caller.set(callee, fn);
          next.push(callee);
        }
      }
      level = next;
    }
    return null;
  }

  private summaryOf(fn: FunctionLike): Summary {
    let summary = this.cache.summaries.get(fn);
    if (!summary) {
      summary = this.summarize(fn);
      this.cache.summaries.set(fn, summary);
    }
    return summary;
  }

  /** One walk of the body, in source order; callbacks it hands to array methods run inside it, so count. */
  private summarize(fn: FunctionLike): Summary {
    const ts = this.ts;
    let blocking: Summary['blocking'] = null;
    const callees: FunctionLike[] = [];
    const visit = (node: ts.Node): void => {
      if (blocking) return;
      if (ts.isFunctionLike(node) && !this.isSyncInvokedCallback(node)) return;
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) return;
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const api = this.blockingApiOf(node);
        if (api) {
          blocking = { api, call: node };
          return;
        }
        if (ts.isCallExpression(node)) {
          const inner = this.projectFunctionOf(node);
          if (inner && inner !== fn && !callees.includes(inner)) callees.push(inner);
        }
      }
      ts.forEachChild(node, visit);
    };
    // The body itself, not only its children: an arrow's expression body may be the blocking call.
    if (fn.body) visit(fn.body);
    return { blocking, callees };
  }

  /** The sync, non-generator function with a body, declared in a project (not library) file, that `call` calls. */
  private projectFunctionOf(call: ts.CallExpression): FunctionLike | undefined {
    const ts = this.ts;
    const declared = this.declarationOf(call.expression);
    // A library's function or method (`map.set`, `JSON.parse`): never a project body, and most calls are these.
    if (declared && this.isLibraryFile(declared.getSourceFile())) return undefined;
    let fn: ts.Node | undefined = declared && functionOfDeclaration(ts, declared);
    if (!fn || (!isFunctionWithBody(ts, fn) && isValueDeclaration(ts, declared))) {
      // A value the checker typed from a function it can point to: `registry.getIndex()` where
      // `getIndex: () => discover()`, `load()` where `const load = makeLoader()` returned a closure.
      // (A synthetic signature, e.g. of an `any` callee, has no declaration despite the type.)
      fn = this.checker.getResolvedSignature(call)?.getDeclaration();
    }
    if (!fn || !isFunctionWithBody(ts, fn) || fn.asteriskToken || ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) {
      return undefined;
    }
    return this.isLibraryFile(fn.getSourceFile()) ? undefined : fn;
  }

  private isLibraryFile(file: ts.SourceFile): boolean {
    return file.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(file) || file.fileName.includes('/node_modules/');
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
    const origin = declaration && declarationOrigin(ts, declaration);
    let api: ApiInfo | undefined;
    if (origin?.kind === 'method') return findCatalogMethod(origin.module, origin.typeName, origin.method)?.id;
    if (origin) api = findCatalogApi(origin.module, origin.path);
    else {
      // The checker does not know the module (no `@types/node` in the program): name it by its import.
      const member = moduleMemberByName(ts, this.checker, node.expression);
      if (member && !isAsyncOnly(member.specifier, member.path)) api = findCatalogApi(member.specifier, member.path);
    }
    if (!api || api.kind === 'method') return undefined;
    if (api.kind === 'construct' ? !ts.isNewExpression(node) : ts.isNewExpression(node)) return undefined;
    if (api.blockingUnless === 'callback' && this.passesCallback(node)) return undefined;
    // `randomBytes(16)`: below the catalog's size bound it takes microseconds, as in the linted file.
    if (isCheapTsCall(ts, this.checker, node, api)) return undefined;
    return api.id;
  }
}

function isFunctionWithBody(ts: typeof import('typescript'), node: ts.Node): node is FunctionLike {
  return (
    (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) &&
    node.body !== undefined
  );
}

/**
 * A declaration whose value may be a function made elsewhere: a variable, parameter, field or property
 * (`const load = makeLoader()`, `registry.getIndex`). Undefined (no symbol: `makeLoader()()`) counts too.
 */
function isValueDeclaration(ts: typeof import('typescript'), declaration: ts.Declaration | undefined): boolean {
  return (
    declaration === undefined ||
    ts.isVariableDeclaration(declaration) ||
    ts.isParameter(declaration) ||
    ts.isBindingElement(declaration) ||
    ts.isPropertyDeclaration(declaration) ||
    ts.isPropertyAssignment(declaration) ||
    ts.isShorthandPropertyAssignment(declaration) ||
    ts.isPropertySignature(declaration)
  );
}

/** The function a declaration holds: itself, or the initializer of a `const`, class field or object property. */
function functionOfDeclaration(ts: typeof import('typescript'), declaration: ts.Declaration): ts.Node {
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) return skipOuterExpressions(ts, declaration.initializer);
  if (ts.isPropertyDeclaration(declaration) && declaration.initializer) return skipOuterExpressions(ts, declaration.initializer);
  if (ts.isPropertyAssignment(declaration)) return skipOuterExpressions(ts, declaration.initializer);
  return declaration;
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


function functionName(ts: typeof import('typescript'), fn: FunctionLike): string | undefined {
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
  return own;
}

/** A function without a name of its own: `(closure from makeLoader)` when another function returns it. */
function anonymousName(ts: typeof import('typescript'), fn: FunctionLike): string {
  let returner: ts.Node | undefined;
  if (ts.isReturnStatement(fn.parent)) {
    for (let current: ts.Node = fn.parent; !ts.isSourceFile(current); current = current.parent) {
      if (ts.isFunctionLike(current)) {
        returner = current;
        break;
      }
    }
  } else if (ts.isArrowFunction(fn.parent) && fn.parent.body === fn) returner = fn.parent;
  const name = returner && isFunctionWithBody(ts, returner) ? functionName(ts, returner) : undefined;
  return name ? `(closure from ${name})` : '(anonymous function)';
}
