import { normalizeModuleName as moduleName } from '@agent-lag/catalog';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { traceFile, ValueTracer, type Origin, type ValueUse } from '../resolve/index.js';
import { isFunctionNode, stringValue, unwrapExpression } from './ast.js';
import type { FunctionNode } from './ast.js';

/*
 * Functions a server calls once while it starts, before it takes any request: the rest of the code that
 * started it, the same as the lines after `await app.listen()` in a main function, so they run where that code
 * runs (start-up, for a server started at start-up).
 *
 * - a server's `listen(…, callback)`: called when the server is bound; the same callback of
 *   `@hono/node-server`'s `serve(options, callback)`;
 * - Fastify's plugins, `app.register(plugin)` and `fastifyPlugin(plugin)` (fastify-plugin), its `after(fn)` and
 *   `ready(fn)`, and its `onReady` and `onListen` hooks: Fastify loads plugins while it boots and refuses new ones
 *   once it is ready.
 *
 * `listen` and `register` are too common names to trust on their own (postgres.js' `sql.listen(channel, fn)`
 * calls fn for every notification; a tool registry's `register(name, handler)` calls the handler per tool call):
 * only servers this file makes from Node's or a web framework's factory count, and the instance a Fastify
 * plugin is given.
 */

/** The factories whose result is a server (or an app whose `listen` starts one), by module, without `node:`. */
const SERVER_FACTORIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['http', ['createServer', 'new Server']],
  ['https', ['createServer', 'new Server']],
  ['http2', ['createServer', 'createSecureServer']],
  ['net', ['createServer', 'new Server']],
  ['tls', ['createServer', 'new Server']],
  // express(), new Koa(), Fastify() / fastify.fastify(): the module itself is the factory.
  ['express', ['']],
  ['koa', ['new ']],
  ['fastify', ['', 'fastify']],
]);

/** Functions that create and bind a server at once, by module: the index of their listening callback. */
const SERVE_FUNCTIONS: ReadonlyMap<string, { readonly name: string; readonly callbackIndex: number }> = new Map([
  ['@hono/node-server', { name: 'serve', callbackIndex: 1 }],
]);

const FASTIFY_PLUGIN_MODULE = 'fastify-plugin';
/** `fp(plugin)`: its default export, also exported as `fastifyPlugin`. */
const FASTIFY_PLUGIN_EXPORTS: ReadonlySet<string> = new Set(['', 'fastifyPlugin']);

/** Fastify's methods that call their first argument while the app boots. */
const FASTIFY_BOOT_METHODS: ReadonlySet<string> = new Set(['register', 'after', 'ready']);

/** Fastify's application hooks that run once, as it starts (`addHook('onReady', fn)`); the others run per request or at close. */
const FASTIFY_BOOT_HOOKS: ReadonlySet<string> = new Set(['onReady', 'onListen']);

const SERVER_PATH = ['(server)'];

function factoryName(use: ValueUse): string | undefined {
  if (use.origin.kind !== 'module' || use.kind === 'value' || use.path.length > 1) return undefined;
  return `${use.kind === 'new' ? 'new ' : ''}${use.path[0] ?? ''}`;
}

function isServerFactory(use: ValueUse): boolean {
  const name = factoryName(use);
  if (name === undefined || use.origin.kind !== 'module') return false;
  return SERVER_FACTORIES.get(moduleName(use.origin.specifier))?.includes(name) === true;
}

/** The function `node` is: written there, or a local function or `const` function it names. */
function functionAt(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node | undefined): FunctionNode | undefined {
  if (node === undefined) return undefined;
  const inner = unwrapExpression(node);
  if (isFunctionNode(inner)) return inner;
  if (inner.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = ASTUtils.findVariable(sourceCode.getScope(inner), inner);
  const definition = variable?.defs.length === 1 ? variable.defs[0]!.node : undefined;
  if (definition?.type === AST_NODE_TYPES.FunctionDeclaration) return definition;
  if (definition?.type === AST_NODE_TYPES.VariableDeclarator && definition.parent.kind === 'const' && definition.init) {
    const init = unwrapExpression(definition.init);
    return isFunctionNode(init) ? init : undefined;
  }
  return undefined;
}

/**
 * The arguments of this file's calls that a server calls once while it starts (see above): the set of
 * argument expressions, as written.
 */
export function findServerStartCallbacks(sourceCode: Readonly<TSESLint.SourceCode>): ReadonlySet<TSESTree.Node> {
  const imported = traceFile(sourceCode, {
    isTracked: (specifier) => SERVER_FACTORIES.has(moduleName(specifier)) || SERVE_FUNCTIONS.has(specifier) || specifier === FASTIFY_PLUGIN_MODULE,
    globals: [],
    dynamicImports: [],
  });
  const startCallbacks = new Set<TSESTree.Node>();
  if (imported.length === 0) return startCallbacks;
  const servers = new ValueTracer(sourceCode);
  const fastify: Origin = { kind: 'module', specifier: 'fastify' };
  // A Fastify plugin's first parameter is the instance it registers on: its own register calls boot too.
  const addPlugin = (argument: TSESTree.Node | undefined): void => {
    if (argument === undefined) return;
    startCallbacks.add(argument);
    const instance = functionAt(sourceCode, argument)?.params[0];
    if (instance !== undefined) servers.tracePattern(instance, fastify, SERVER_PATH);
  };
  for (const use of imported) {
    const serve = use.origin.kind === 'module' ? SERVE_FUNCTIONS.get(use.origin.specifier) : undefined;
    const listening = serve !== undefined && factoryName(use) === serve.name ? use.node.arguments[serve.callbackIndex] : undefined;
    if (listening !== undefined) startCallbacks.add(listening);
    else if (isServerFactory(use)) servers.traceValue(use.node, use.origin, SERVER_PATH);
    else if (use.origin.kind === 'module' && use.origin.specifier === FASTIFY_PLUGIN_MODULE && FASTIFY_PLUGIN_EXPORTS.has(factoryName(use) ?? '-')) addPlugin(use.node.arguments[0]);
  }
  // Tracing a plugin's instance adds to servers.uses as this loop reads it.
  for (let index = 0; index < servers.uses.length; index++) {
    const use = servers.uses[index]!;
    if (use.kind !== 'call' || use.path.length !== 2) continue;
    const method = use.path[1]!;
    const args = use.node.arguments;
    if (method === 'listen') {
      if (args.length > 0) startCallbacks.add(args[args.length - 1]!);
    } else if (use.origin.kind === 'module' && moduleName(use.origin.specifier) === 'fastify') {
      if (method === 'register') addPlugin(args[0]);
      else if (FASTIFY_BOOT_METHODS.has(method) && args[0] !== undefined) startCallbacks.add(args[0]);
      else if (method === 'addHook' && args[1] !== undefined && FASTIFY_BOOT_HOOKS.has(stringValue(args[0]) ?? '')) startCallbacks.add(args[1]);
    }
  }
  return startCallbacks;
}
