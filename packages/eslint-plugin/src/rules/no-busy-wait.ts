import type { TSESTree } from '@typescript-eslint/utils';
import { findBusyWait } from '../analysis/busy-wait/index.js';
import { createRule } from '../util/create-rule.js';
import { getContextAnalysis } from '../analysis/context/index.js';


const CLOCK_WORDS = /\b(?:Date|performance|hrtime)\b/;

export type Options = [{ reachability?: boolean; checkStartup?: boolean }];
export type MessageIds = 'busyWait' | 'busyWaitInHelper' | 'busyWaitAtStartup';

export const noBusyWait = createRule<Options, MessageIds>({
  name: 'no-busy-wait',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow loops that spin on the clock without awaiting in code that runs on the event loop',
      recommended: 'strict',
    },
    schema: [
      {
        type: 'object',
        properties: {
          reachability: {
            type: 'boolean',
            description: 'Also report busy-waits in sync functions of the same file called from event-loop code.',
          },
          checkStartup: {
            type: 'boolean',
            description: 'Also report busy-waits in start-up code (module top level, functions only called from it).',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ reachability: false, checkStartup: false }],
    messages: {
      busyWait:
        'Busy-wait loop on {{clock}} in {{owner}} blocks the event loop until the time passes; await a timer instead (`await setTimeout(ms)` from node:timers/promises).',
      busyWaitInHelper:
        'Busy-wait loop on {{clock}} in sync function {{helper}}, called from {{caller}}, blocks the event loop; make it async and await a timer instead.',
      busyWaitAtStartup:
        'Busy-wait loop on {{clock}} blocks the process while it spins; use `Atomics.wait` on a SharedArrayBuffer for a deliberate start-up sleep, or await a timer.',
    },
  },
  create(context, [options]) {
    // Most files never read a clock: one scan of the text spares every loop a look.
    if (!CLOCK_WORDS.test(context.sourceCode.text)) return {};
    const reachability = options.reachability ?? false;
    const checkStartup = options.checkStartup ?? false;
    const check = (loop: TSESTree.DoWhileStatement | TSESTree.ForStatement | TSESTree.WhileStatement): void => {
      const busyWait = findBusyWait(loop, context.sourceCode);
      if (!busyWait) return;
      const where = getContextAnalysis(context.sourceCode).classify(loop, { reachability });
      switch (where.kind) {
        case 'event-loop':
          context.report({ node: loop, messageId: 'busyWait', data: { clock: busyWait.clock, owner: where.owner } });
          return;
        case 'reachable-helper':
          context.report({
            node: loop,
            messageId: 'busyWaitInHelper',
            data: { clock: busyWait.clock, helper: where.helper, caller: where.caller },
          });
          return;
        case 'startup':
          if (checkStartup) context.report({ node: loop, messageId: 'busyWaitAtStartup', data: { clock: busyWait.clock } });
          return;
        case 'exempt':
          return;
      }
    };
    return { WhileStatement: check, DoWhileStatement: check, ForStatement: check };
  },
});

export default noBusyWait;
