import type { BlockingCategory } from '@agent-lag/catalog';
import { getBlockingCalls } from '../analysis/engine.js';
import { createRule } from '../util/create-rule.js';
import {
  BLOCKING_MESSAGES,
  COMMON_OPTION_DEFAULTS,
  COMMON_OPTION_SCHEMA,
  checkTypeInformation,
  reportBlockingCalls,
  type CommonOptions,
} from './report-blocking-calls.js';

/** A rule that reports the catalog's blocking calls of one category, on the shared engine. */
export function createCategoryRule(name: string, category: BlockingCategory, description: string) {
  return createRule<[CommonOptions], keyof typeof BLOCKING_MESSAGES>({
    name,
    meta: {
      type: 'problem',
      docs: { description, recommended: 'recommended' },
      hasSuggestions: true,
      messages: BLOCKING_MESSAGES,
      schema: [{ type: 'object', properties: COMMON_OPTION_SCHEMA, additionalProperties: false }],
      defaultOptions: [COMMON_OPTION_DEFAULTS],
    },
    defaultOptions: [COMMON_OPTION_DEFAULTS],
    create(context, [options]) {
      const typeAware = options.typeAware ?? false;
      return {
        'Program:exit'() {
          checkTypeInformation(context, typeAware);
          const calls = getBlockingCalls(context.sourceCode, { typeAware }).filter(
            (call) => call.api.category === category,
          );
          reportBlockingCalls(context, calls, {
            reachability: options.reachability ?? false,
            allow: options.allow ?? [],
          });
        },
      };
    },
  });
}
