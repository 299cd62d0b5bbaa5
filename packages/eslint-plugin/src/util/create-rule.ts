import { ESLintUtils } from '@typescript-eslint/utils';

export interface AgentLagDocs {
  description: string;
  /** Which preset first turns the rule on. */
  recommended?: 'recommended' | 'strict';
  requiresTypeChecking?: boolean;
}

/** Every agent-lag rule is created here, so its docs URL points at its page in the repository. */
export const createRule = ESLintUtils.RuleCreator<AgentLagDocs>(
  (name) => `https://github.com/agent-lag/agent-lag/blob/main/packages/eslint-plugin/docs/rules/${name}.md`,
);
