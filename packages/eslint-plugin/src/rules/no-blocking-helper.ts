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
            maximum: 10,
            description: 'How many calls deep to follow helpers into other files.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ maxDepth: 4 }],
    messages: {
      blockingHelper:
        '{{helper}} ({{location}}) blocks the event loop: it calls {{api}}{{via}}; called here from {{owner}}.',
      blockingHelperInHelper:
        '{{helper}} ({{location}}) blocks the event loop: it calls {{api}}{{via}}; called here from sync function {{caller}}, which {{owner}} calls.',
      needsTypes:
        'agent-lag/no-blocking-helper needs type information, and this file was linted without it. Enable typed linting (languageOptions.parserOptions.projectService: true) or use a preset without type-checked rules for these files.',
    },
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program;
    if (!program) {
      return {
        Program(node) {
          context.report({ node, loc: { line: 1, column: 0 }, messageId: 'needsTypes' });
        },
      };
    }
    return {};
  },
});

export default noBlockingHelper;
