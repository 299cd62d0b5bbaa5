import type * as ts from 'typescript';

/**
 * Strips what does not change a value on TypeScript's AST: parentheses, `as`, `!`, `satisfies`, `<T>x`.
 * TypeScript is passed in, not imported: the plugin loads it only in type-aware mode.
 */
type WrapperTests = Pick<typeof ts, 'isParenthesizedExpression' | 'isAsExpression' | 'isNonNullExpression' | 'isSatisfiesExpression' | 'isTypeAssertionExpression'>;

export function skipOuterExpressions(typescript: WrapperTests, node: ts.Expression): ts.Expression {
  let current = node;
  while (
    typescript.isParenthesizedExpression(current) ||
    typescript.isAsExpression(current) ||
    typescript.isNonNullExpression(current) ||
    typescript.isSatisfiesExpression(current) ||
    typescript.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}
