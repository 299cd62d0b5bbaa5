import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';
import { getContextAnalysis } from '../src/analysis/context/index.js';

/**
 * A test-only rule: reports where every call to `block()` runs, as classified by the context analysis.
 * Start-up code is not reported, so "valid" cases read as "this is start-up code".
 */
export const contextProbe = ESLintUtils.RuleCreator.withoutDocs<[{ reachability: boolean }], 'where'>({
  meta: {
    type: 'problem',
    docs: { description: 'test-only: report the loop context of block() calls' },
    schema: [{ type: 'object', properties: { reachability: { type: 'boolean' } }, additionalProperties: false }],
    defaultOptions: [{ reachability: false }],
    messages: { where: '{{where}}' },
  },
  create(context, [options]) {
    const analysis = getContextAnalysis(context.sourceCode);
    return {
      CallExpression(node) {
        if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'block') return;
        const where = analysis.classify(node, options);
        switch (where.kind) {
          case 'startup':
            return;
          case 'event-loop':
            context.report({ node, messageId: 'where', data: { where: `event-loop: ${where.owner}` } });
            return;
          case 'reachable-helper':
            context.report({ node, messageId: 'where', data: { where: `helper ${where.helper} ← ${where.caller}` } });
            return;
          case 'exempt':
            context.report({ node, messageId: 'where', data: { where: `exempt: ${where.reason}` } });
            return;
        }
      },
    };
  },
});
