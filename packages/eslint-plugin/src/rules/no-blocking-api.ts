import { getUserApiCalls } from '../analysis/engine.js';
import { compileUserApis, type UserApiOption } from '../catalog/user-apis.js';
import { createRule } from '../util/create-rule.js';
import {
  BLOCKING_MESSAGES,
  COMMON_OPTION_DEFAULTS,
  COMMON_OPTION_SCHEMA,
  checkTypeInformation,
  reportBlockingCalls,
  type CommonOptions,
} from './report-blocking-calls.js';

export interface NoBlockingApiOptions extends CommonOptions {
  /** Your own blocking APIs: module + export pattern + message (like flake8-async's ASYNC200). */
  apis?: UserApiOption[];
}

const defaults: Required<NoBlockingApiOptions> = { ...COMMON_OPTION_DEFAULTS, apis: [] };

export const noBlockingApi = createRule<[NoBlockingApiOptions], keyof typeof BLOCKING_MESSAGES>({
  name: 'no-blocking-api',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow blocking APIs from your own list (module + export pattern) on the event loop' },
    hasSuggestions: true,
    messages: BLOCKING_MESSAGES,
    schema: [
      {
        type: 'object',
        properties: {
          ...COMMON_OPTION_SCHEMA,
          apis: {
            type: 'array',
            description: 'Blocking APIs: module, export pattern (`*` within a segment, dotted paths), message.',
            items: {
              type: 'object',
              properties: {
                module: { type: 'string', minLength: 1 },
                export: { type: 'string' },
                message: { type: 'string' },
              },
              required: ['module', 'export'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [defaults],
  },
  defaultOptions: [defaults],
  create(context, [options]) {
    const matcher = compileUserApis(options.apis ?? []);
    const typeAware = options.typeAware ?? false;
    return {
      'Program:exit'() {
        checkTypeInformation(context, typeAware);
        if (matcher.modules.size === 0) return;
        const calls = getUserApiCalls(context.sourceCode, matcher, { typeAware });
        reportBlockingCalls(context, calls, { reachability: options.reachability ?? false, allow: options.allow ?? [] });
      },
    };
  },
});

export default noBlockingApi;
