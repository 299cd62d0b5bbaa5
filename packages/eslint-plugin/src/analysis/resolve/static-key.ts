import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';

/**
 * The property name a member access or pattern key reads, when it is known without running the code:
 * `fs.readFileSync`, `fs['readFileSync']`, ``fs[`readFileSync`]``. Undefined for dynamic keys.
 */
export function staticKeyOf(key: TSESTree.Node, computed: boolean): string | undefined {
  if (!computed) {
    if (key.type === AST_NODE_TYPES.Identifier) return key.name;
    if (key.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  }
  if (key.type === AST_NODE_TYPES.Literal) {
    return typeof key.value === 'string' || typeof key.value === 'number' ? String(key.value) : undefined;
  }
  if (key.type === AST_NODE_TYPES.TemplateLiteral && key.expressions.length === 0) {
    return key.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

/** The static string of a module specifier argument (`'node:fs'`, `` `fs` ``), if it is one. */
export function staticStringOf(node: TSESTree.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'string' ? node.value : undefined;
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) {
    return node.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}
