import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

/** Visits every node below `root` once, depth first, using the parser's visitor keys. */
export function walk(
  root: TSESTree.Node,
  visitorKeys: TSESLint.SourceCode.VisitorKeys,
  visit: (node: TSESTree.Node) => void,
): void {
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    visit(node);
    pushChildren(node, visitorKeys, stack);
  }
}

/** Pushes the node's children (by the parser's visitor keys) onto `stack`, for walks that prune or stop early. */
export function pushChildren(node: TSESTree.Node, visitorKeys: TSESLint.SourceCode.VisitorKeys, stack: TSESTree.Node[]): void {
  for (const key of visitorKeys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const item of child as (TSESTree.Node | null)[]) if (item) stack.push(item);
    } else if (child && typeof (child as TSESTree.Node).type === 'string') {
      stack.push(child as TSESTree.Node);
    }
  }
}
