import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';
import { claimTypeInfoError, typeServicesOf } from '../analysis/engine.js';
import { getContextAnalysis } from '../analysis/context/index.js';
import { CrossFileAnalysis } from '../analysis/reachability/cross-file.js';
import { warnOnceWithoutNodeTypes } from '../analysis/resolve/index.js';
import { createRule } from '../util/create-rule.js';

export type Options = [{ maxDepth?: number }];
export type MessageIds = 'blockingHelper' | 'blockingHelperInHelper' | 'needsTypes';

export const noBlockingHelper = createRule<Options, MessageIds>({
  name: 'no-blocking-helper',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow calling, from event-loop code, a sync function of another file that blocks the event loop (needs type information)',
      recommended: 'strict',
      requiresTypeChecking: true,
    },
    schema: [
      {
        type: 'object',
        properties: {
          maxDepth: {
            type: 'integer',
            minimum: 1,
            maximum: 16,
            description: 'How many helper calls deep to follow from the called function to the blocking call.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ maxDepth: 8 }],
    messages: {
      blockingHelper: '{{helper}} ({{location}}) blocks the event loop: {{chain}} at {{blockingCall}}. Called here from {{owner}}.',
      blockingHelperInHelper:
        '{{helper}} ({{location}}) blocks the event loop: {{chain}} at {{blockingCall}}. Called here from sync function {{caller}}, which {{owner}} calls.',
      needsTypes:
        'agent-lag: this rule needs type information and this file was linted without it. Enable typed linting (languageOptions.parserOptions.projectService: true) for these files, or use a preset without type-checked rules for them.',
    },
  },
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const services = typeServicesOf(sourceCode);
    if (!services) {
      // One configuration error per file, shared with the other type-aware rules; never a crash.
      if (!claimTypeInfoError(sourceCode)) return {};
      return {
        Program(node) {
          context.report({ node, loc: { line: 1, column: 0 }, messageId: 'needsTypes' });
        },
      };
    }
    // A program without @types/node still gets Node's modules by name; the user is told once how to fix it.
    warnOnceWithoutNodeTypes(services.program);
    const analysis = new CrossFileAnalysis(services.program, options.maxDepth ?? 8);
    const contexts = getContextAnalysis(sourceCode);
    let currentFile: ts.SourceFile | undefined;

    return {
      CallExpression(node: TSESTree.CallExpression) {
        // Only calls of a plain name or property can reach a function declared elsewhere.
        const callee = node.callee.type === AST_NODE_TYPES.ChainExpression ? node.callee.expression : node.callee;
        if (callee.type !== AST_NODE_TYPES.Identifier && callee.type !== AST_NODE_TYPES.MemberExpression) return;
        const where = contexts.classify(node, { reachability: true });
        if (where.kind !== 'event-loop' && where.kind !== 'reachable-helper') return;
        const tsNode = services.esTreeNodeToTSNodeMap.get(node) as ts.Node;
        currentFile ??= tsNode.getSourceFile();
        const helper = analysis.blockingHelperOf(tsNode as ts.CallExpression, currentFile);
        if (!helper) return;
        const data = {
          helper: helper.name,
          location: helper.location,
          // The whole way from the call here to the blocking call: `createServer → registerDocs → walk → fs.readdirSync`.
          chain: [helper.name, ...helper.via, helper.api].join(' → '),
          blockingCall: helper.blockingCall,
          api: helper.api,
        };
        if (where.kind === 'event-loop') context.report({ node, messageId: 'blockingHelper', data: { ...data, owner: where.owner } });
        else context.report({ node, messageId: 'blockingHelperInHelper', data: { ...data, caller: where.helper, owner: where.caller } });
      },
    };
  },
});

export default noBlockingHelper;
