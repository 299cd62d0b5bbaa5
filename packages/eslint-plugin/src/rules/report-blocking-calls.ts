import type { TSESLint } from '@typescript-eslint/utils';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import { getContextAnalysis } from '../analysis/context/index.js';
import { claimTypeInfoError, typeServicesOf, type BlockingCall } from '../analysis/engine.js';
import { isCheapCall } from '../catalog/cost.js';
import { suggestAsyncEquivalent } from '../suggestions/async-replacement.js';

/** Options every blocking-call rule shares. */
export interface CommonOptions {
  /** Also report blocking calls in sync functions of this file that event-loop code calls. */
  reachability?: boolean;
  /** Canonical API ids never reported, e.g. `fs.existsSync`. */
  allow?: string[];
  /** Use the type checker (needs typed linting): resolve typed receivers, clear look-alikes. */
  typeAware?: boolean;
}

export const COMMON_OPTION_DEFAULTS: Required<CommonOptions> = { reachability: false, allow: [], typeAware: false };

export const COMMON_OPTION_SCHEMA: Record<string, JSONSchema4> = {
  reachability: {
    type: 'boolean',
    description: 'Also report blocking calls in same-file sync functions called from event-loop code.',
  },
  allow: {
    type: 'array',
    items: { type: 'string' },
    uniqueItems: true,
    description: 'Canonical API ids (`fs.existsSync`) never reported.',
  },
  typeAware: {
    type: 'boolean',
    description: 'Use type information to resolve typed receivers and clear look-alikes; requires typed linting.',
  },
};

export const BLOCKING_MESSAGES = {
  blocking: '`{{api}}` ({{category}}) blocks the event loop in {{owner}}: {{why}}.',
  blockingValue:
    '`{{api}}` ({{category}}) is passed as a function here and blocks the event loop when called in {{owner}}: {{why}}.',
  blockingInHelper:
    '`{{api}}` ({{category}}) blocks the event loop: sync function {{helper}} runs it and is called from {{caller}}.',
  typeInfoRequired:
    'agent-lag: `typeAware: true` needs type information, but this file was parsed without it. Enable typed linting (typescript-eslint `parserOptions.projectService: true`) for this file, or use a preset without "-type-checked".',
  useAsyncEquivalent: 'Use `await {{replacement}}` from `{{module}}` instead.',
} as const;

export type BlockingMessageId = keyof typeof BLOCKING_MESSAGES;

type Context = Readonly<TSESLint.RuleContext<BlockingMessageId, readonly unknown[]>>;

/**
 * True when the rule may run: rules configured for types that are missing report one clear error per
 * file (shared by all rules) instead of throwing.
 */
export function checkTypeInformation(context: Context, typeAware: boolean): void {
  if (!typeAware || typeServicesOf(context.sourceCode)) return;
  if (!claimTypeInfoError(context.sourceCode)) return;
  context.report({ loc: { line: 1, column: 0 }, messageId: 'typeInfoRequired' });
}

/** Reports each call that runs on the event loop after start-up (or in a reachable helper). */
export function reportBlockingCalls(
  context: Context,
  calls: readonly BlockingCall[],
  options: { reachability: boolean; allow: readonly string[] },
): void {
  if (calls.length === 0) return;
  const analysis = getContextAnalysis(context.sourceCode);
  const allowed = new Set(options.allow);
  for (const call of calls) {
    if (allowed.has(call.api.id)) continue;
    // `randomBytes(16)`: the catalog bounds its cost and the arguments are constants within the bound.
    if (isCheapCall(context.sourceCode, call)) continue;
    const where = analysis.classify(call.node, { reachability: options.reachability });
    const base = { api: call.api.id, category: call.api.category, why: call.api.why };
    if (where.kind === 'event-loop') {
      const suggestion = suggestAsyncEquivalent(context.sourceCode, call);
      context.report({
        node: call.node,
        messageId: call.via === 'value' ? 'blockingValue' : 'blocking',
        data: { ...base, owner: where.owner },
        suggest: suggestion ? [suggestion] : [],
      });
    } else if (where.kind === 'reachable-helper') {
      context.report({
        node: call.node,
        messageId: 'blockingInHelper',
        data: { ...base, helper: where.helper, caller: where.caller },
      });
    }
  }
}
