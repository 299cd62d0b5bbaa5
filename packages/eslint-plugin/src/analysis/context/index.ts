import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

/** Where a node runs, as far as the event loop is concerned. */
export type LoopContext =
  | { kind: 'event-loop'; owner: string }
  | { kind: 'reachable-helper'; helper: string; caller: string }
  | { kind: 'startup' }
  | { kind: 'exempt'; reason: string };

export interface ContextAnalysis {
  classify(node: TSESTree.Node, options: { reachability: boolean }): LoopContext;
}

type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration | TSESTree.FunctionExpression;

function isFunction(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

function describeFunction(fn: FunctionNode): string {
  const name = fn.id?.name;
  return name ? `async function ${name}` : 'async function';
}

// First cut: async functions run on the loop, everything else is start-up. Deepened below.
function classifyFirstCut(node: TSESTree.Node): LoopContext {
  for (let current: TSESTree.Node | undefined = node.parent; current; current = current.parent) {
    if (isFunction(current)) {
      return current.async ? { kind: 'event-loop', owner: describeFunction(current) } : { kind: 'startup' };
    }
  }
  return { kind: 'startup' };
}

const cache = new WeakMap<TSESTree.Program, ContextAnalysis>();

/** The context analysis of one file, built once however many rules ask. */
export function getContextAnalysis(sourceCode: Readonly<TSESLint.SourceCode>): ContextAnalysis {
  let analysis = cache.get(sourceCode.ast);
  if (!analysis) {
    analysis = { classify: (node) => classifyFirstCut(node) };
    cache.set(sourceCode.ast, analysis);
  }
  return analysis;
}
