import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from '@typescript-eslint/utils';
import {
  CATALOG_GLOBAL_ROOTS,
  findCatalogApi,
  findCatalogMethod,
  instanceTypeOfExport,
  instanceTypeOfMethod,
  isAsyncOnly,
  isCatalogModule,
  type ApiInfo,
} from '../catalog/index.js';
import type { UserApiMatcher } from '../catalog/user-apis.js';
import { normalizeModuleName } from '@agent-lag/catalog';
import { walk } from '../util/walk.js';
import { isThenableCall, resolveByType, traceFile, ValueTracer, type ModuleFilter, type ValueUse } from './resolve/index.js';

type SourceCode = Readonly<TSESLint.SourceCode>;
export type CallNode = TSESTree.CallExpression | TSESTree.NewExpression;

/**
 * How the blocking function is reached at the reported node: called (`call`), called through
 * `.call`/`.apply` (`indirect-call`), constructed (`new`), or passed to a call that will call it (`value`).
 */
export type CallVia = 'call' | 'indirect-call' | 'new' | 'value';

/** One resolved blocking call site: plain data shared by all rules. */
export interface BlockingCall {
  readonly api: ApiInfo;
  /** The call or `new` expression to report. */
  readonly node: CallNode;
  /** The expression that evaluates to the blocking function (for suggestions). */
  readonly reference: TSESTree.Node;
  readonly via: CallVia;
  /** Module specifier as written (`node:fs`), or null for globals and type-resolved calls. */
  readonly specifier: string | null;
  readonly path: readonly string[];
  readonly resolvedBy: 'syntax' | 'types';
}

interface WalkResult {
  readonly dynamicImports: TSESTree.ImportExpression[];
  readonly calls: CallNode[];
}

interface FileState {
  walk?: WalkResult;
  catalogCalls?: readonly BlockingCall[];
  typedCatalogCalls?: readonly BlockingCall[];
  userUses: Map<string, readonly ValueUse[]>;
  typeInfoErrorClaimed: boolean;
}

// Every rule asks for the same file: resolve once per SourceCode, however many rules are on.
const files = new WeakMap<SourceCode, FileState>();

function stateOf(sourceCode: SourceCode): FileState {
  let state = files.get(sourceCode);
  if (!state) {
    state = { userUses: new Map(), typeInfoErrorClaimed: false };
    files.set(sourceCode, state);
  }
  return state;
}

/** The parser services with a program, or undefined when the file was parsed without type information. */
export function typeServicesOf(sourceCode: SourceCode): ParserServicesWithTypeInformation | undefined {
  const services = sourceCode.parserServices;
  return services?.program ? (services as ParserServicesWithTypeInformation) : undefined;
}

/**
 * True for the first caller per file: rules configured for type information that is missing report
 * one error per file between them, not one per rule.
 */
export function claimTypeInfoError(sourceCode: SourceCode): boolean {
  const state = stateOf(sourceCode);
  if (state.typeInfoErrorClaimed) return false;
  state.typeInfoErrorClaimed = true;
  return true;
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** The single AST walk, done only when a file needs it (dynamic imports, or type-aware mode). */
function walkOnce(sourceCode: SourceCode, state: FileState, needCalls: boolean): WalkResult {
  if (state.walk) return state.walk;
  const result: WalkResult = { dynamicImports: [], calls: [] };
  if (!needCalls && !DYNAMIC_IMPORT.test(sourceCode.text)) return result;
  walk(sourceCode.ast, sourceCode.visitorKeys, (node) => {
    if (node.type === AST_NODE_TYPES.ImportExpression) result.dynamicImports.push(node);
    else if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
      result.calls.push(node);
    }
  });
  state.walk = result;
  return result;
}

function traceModules(sourceCode: SourceCode, state: FileState, isTracked: ModuleFilter, globals: readonly string[]) {
  return traceFile(sourceCode, { isTracked, globals, dynamicImports: walkOnce(sourceCode, state, false).dynamicImports });
}

type Lookup = (specifier: string | null, path: readonly string[]) => ApiInfo | undefined;

function hasCallbackArgument(node: CallNode): boolean {
  const last = node.arguments.at(-1);
  if (!last || node.arguments.length < 2) return false;
  return (
    last.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    last.type === AST_NODE_TYPES.FunctionExpression ||
    last.type === AST_NODE_TYPES.Identifier ||
    last.type === AST_NODE_TYPES.MemberExpression
  );
}

function matchUse(use: ValueUse, lookup: Lookup): BlockingCall | undefined {
  const specifier = use.origin.kind === 'module' ? use.origin.specifier : null;
  let path = use.path;
  let via: CallVia = use.kind;
  let api = lookup(specifier, path);
  const last = path.at(-1);
  if (!api && use.kind === 'call' && path.length > 1 && (last === 'call' || last === 'apply')) {
    path = path.slice(0, -1);
    api = lookup(specifier, path);
    via = 'indirect-call';
  }
  if (!api || api.kind === 'method') return undefined;
  if (specifier !== null && isAsyncOnly(specifier, path)) return undefined;
  if ((api.kind === 'construct') !== (use.kind === 'new')) return undefined;
  // `[16].map(crypto.randomBytes)` passes a non-function second argument, but we cannot tell: stay quiet.
  if (api.blockingUnless === 'callback' && (via === 'value' || hasCallbackArgument(use.node))) return undefined;
  return { api, node: use.node, reference: use.reference, via, specifier, path, resolvedBy: 'syntax' };
}

function resolveTyped(services: ParserServicesWithTypeInformation, node: CallNode): BlockingCall | undefined {
  const resolution = resolveByType(services, node);
  if (!resolution) return undefined;
  let api: ApiInfo | undefined;
  let path: readonly string[];
  if (resolution.kind === 'export') {
    api = findCatalogApi(resolution.module, resolution.path);
    path = resolution.path;
  } else {
    const module = resolution.module.replace(/^node:/, '');
    api = findCatalogMethod(module, resolution.typeName, resolution.method);
    path = [resolution.typeName, resolution.method];
  }
  if (!api) return undefined;
  const constructs = node.type === AST_NODE_TYPES.NewExpression;
  if (api.kind === 'construct' ? !constructs : constructs) return undefined;
  if (api.blockingUnless === 'callback' && hasCallbackArgument(node)) return undefined;
  return { api, node, reference: node.callee, via: constructs ? 'new' : 'call', specifier: null, path, resolvedBy: 'types' };
}

/** The path key under which an instance of `typeName` is traced: `#Statement`, no export's name. */
const instanceKey = (typeName: string): string => `#${typeName}`;

/**
 * Blocking methods called on instances the file makes, followed from the call that made them without type
 * information: `const db = new Database(file)` at start-up, `db.prepare(sql).get(id)` in a handler. Each method
 * that makes another followed instance (`prepare`: a Statement) is followed on in turn.
 */
function instanceMethodCalls(sourceCode: SourceCode, uses: readonly ValueUse[]): BlockingCall[] {
  const instances = new ValueTracer(sourceCode);
  for (const use of uses) {
    if (use.origin.kind !== 'module' || use.kind === 'value') continue;
    const typeName = instanceTypeOfExport(use.origin.specifier, use.path, use.kind === 'new' ? 'construct' : 'call');
    if (typeName !== undefined) instances.traceValue(use.node, use.origin, [instanceKey(typeName)]);
  }
  const calls: BlockingCall[] = [];
  // Following a made instance adds to instances.uses as this loop reads it.
  for (let index = 0; index < instances.uses.length; index++) {
    const use = instances.uses[index]!;
    if (use.kind !== 'call' || use.path.length !== 2 || use.origin.kind !== 'module') continue;
    const module = normalizeModuleName(use.origin.specifier);
    const typeName = use.path[0]!.slice(1);
    const method = use.path[1]!;
    const api = findCatalogMethod(module, typeName, method);
    if (api) calls.push({ api, node: use.node, reference: use.reference, via: 'call', specifier: null, path: [typeName, method], resolvedBy: 'syntax' });
    const made = instanceTypeOfMethod(module, typeName, method);
    if (made !== undefined) instances.traceValue(use.node, use.origin, [instanceKey(made)]);
  }
  return calls;
}

/** One report per call site, even if two references lead to it (`fs.readFileSync.call(fs.readFileSync)`). */
function onePerNode(calls: readonly BlockingCall[]): readonly BlockingCall[] {
  const seen = new Set<TSESTree.Node>();
  return calls.filter((call) => {
    if (seen.has(call.node)) return false;
    seen.add(call.node);
    return true;
  });
}

/** Drops look-alikes the type checker clears: a call that returns a Promise does not block. */
function withoutThenables(
  calls: readonly BlockingCall[],
  services: ParserServicesWithTypeInformation,
): readonly BlockingCall[] {
  return calls.filter(
    (call) =>
      call.via === 'value' ||
      !(call.api.category === 'third-party' || call.api.category === 'user') ||
      !isThenableCall(services, call.node),
  );
}

/**
 * Every blocking call of the catalog in the file, wherever it runs (rules decide by context).
 * With `typeAware`, receivers typed from blocking modules are resolved too and look-alikes cleared.
 */
export function getBlockingCalls(sourceCode: SourceCode, options: { typeAware: boolean }): readonly BlockingCall[] {
  const state = stateOf(sourceCode);
  if (!state.catalogCalls) {
    const uses = traceModules(sourceCode, state, isCatalogModule, CATALOG_GLOBAL_ROOTS);
    state.catalogCalls = onePerNode([
      ...uses.map((use) => matchUse(use, findCatalogApi)).filter((call) => call !== undefined),
      ...instanceMethodCalls(sourceCode, uses),
    ]);
  }
  const services = options.typeAware ? typeServicesOf(sourceCode) : undefined;
  if (!services) return state.catalogCalls;
  if (!state.typedCatalogCalls) {
    const syntactic = withoutThenables(state.catalogCalls, services);
    const found = new Set<TSESTree.Node>(state.catalogCalls.map((call) => call.node));
    const typed = walkOnce(sourceCode, state, true)
      .calls.filter((node) => !found.has(node))
      .map((node) => resolveTyped(services, node))
      .filter((call) => call !== undefined);
    state.typedCatalogCalls = [...syntactic, ...typed];
  }
  return state.typedCatalogCalls;
}

/** Calls matching a user's `no-blocking-api` list (cached per file and module set). */
export function getUserApiCalls(
  sourceCode: SourceCode,
  matcher: UserApiMatcher,
  options: { typeAware: boolean },
): readonly BlockingCall[] {
  const state = stateOf(sourceCode);
  const key = [...matcher.modules].sort().join('\0');
  let uses = state.userUses.get(key);
  if (!uses) {
    const modules = matcher.modules;
    uses = traceModules(sourceCode, state, (specifier) => modules.has(specifier.replace(/^node:/, '')), []);
    state.userUses.set(key, uses);
  }
  const calls = onePerNode(
    uses
      .map((use) => matchUse(use, (specifier, path) => (specifier === null ? undefined : matcher.match(specifier, path))))
      .filter((call) => call !== undefined),
  );
  const services = options.typeAware ? typeServicesOf(sourceCode) : undefined;
  return services ? withoutThenables(calls, services) : calls;
}
