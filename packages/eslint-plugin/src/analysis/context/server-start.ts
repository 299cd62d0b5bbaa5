import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { traceFile, ValueTracer, type ValueUse } from '../resolve/index.js';

/*
 * A server's `listen(…, callback)`: the callback runs once, when the server is bound, and the server takes no
 * request until it returns. It is the rest of the code that called listen, the same as the lines after
 * `await app.listen()` in a main function, so it runs where that call runs (start-up, for a server started at
 * start-up). `listen` is too common a name to trust on its own (postgres.js' `sql.listen(channel, fn)` calls
 * fn for every notification): only servers this file makes from Node's or a web framework's factory count.
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

const SERVER_PATH = ['(server)'];

function moduleName(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

function isServerFactory(use: ValueUse): boolean {
  if (use.origin.kind !== 'module' || use.kind === 'value' || use.path.length > 1) return false;
  const factories = SERVER_FACTORIES.get(moduleName(use.origin.specifier));
  const name = `${use.kind === 'new' ? 'new ' : ''}${use.path[0] ?? ''}`;
  return factories?.includes(name) === true;
}

/** The `listen` calls of this file made on a server (or app) it created from a known factory. */
export function findServerListenCalls(sourceCode: Readonly<TSESLint.SourceCode>): ReadonlySet<TSESTree.CallExpression> {
  const factoryUses = traceFile(sourceCode, {
    isTracked: (specifier) => SERVER_FACTORIES.has(moduleName(specifier)),
    globals: [],
    dynamicImports: [],
  });
  const listenCalls = new Set<TSESTree.CallExpression>();
  if (factoryUses.length === 0) return listenCalls;
  const servers = new ValueTracer(sourceCode);
  for (const use of factoryUses) if (isServerFactory(use)) servers.traceValue(use.node, use.origin, SERVER_PATH);
  for (const use of servers.uses) {
    if (use.kind === 'call' && use.path.length === 2 && use.path[1] === 'listen' && use.node.type === AST_NODE_TYPES.CallExpression) {
      listenCalls.add(use.node);
    }
  }
  return listenCalls;
}
