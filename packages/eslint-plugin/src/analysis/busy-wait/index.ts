import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

export interface BusyWait {
  /** The clock the loop spins on, as written in a report: `Date.now()`, `performance.now()`... */
  clock: string;
}

type Loop = TSESTree.DoWhileStatement | TSESTree.ForStatement | TSESTree.WhileStatement;

/** First cut: the loop's test calls a clock directly and the loop never awaits. */
export function findBusyWait(loop: Loop, sourceCode: Readonly<TSESLint.SourceCode>): BusyWait | undefined {
  if (!loop.test) return undefined;
  const text = sourceCode.getText(loop.test);
  const clock = ['Date.now()', 'performance.now()', 'process.hrtime'].find((c) => text.includes(c));
  if (!clock) return undefined;
  if (loop.type === AST_NODE_TYPES.ForStatement && loop.update && sourceCode.getText(loop.update).includes('await')) return undefined;
  if (sourceCode.getText(loop.body).includes('await')) return undefined;
  return { clock };
}
