import type { ESLint, Linter } from 'eslint';

/*
 * `agent-lag lint` answers one question: where does this code block the event loop. ESLint also
 * reports things that are not that answer: other rules a project config or an inline config
 * comment turns on, "Definition for rule … was not found" for a disable comment
 * naming a plugin we did not load, unused disable directives. Those belong to the project's own
 * `eslint` run; here they would only set the exit code for reasons unrelated to blocking.
 */

/**
 * Whether a message is ours to report: a finding of one of agent-lag's rules, or a fatal error
 * (a file that does not parse was not checked, so saying nothing would claim it is clean).
 */
export function isAgentLagFinding(message: Linter.LintMessage, ruleIds: ReadonlySet<string>): boolean {
  if (message.fatal) return true;
  return message.ruleId !== null && ruleIds.has(message.ruleId);
}

function count(messages: readonly Linter.LintMessage[], severity: 1 | 2, fixable = false): number {
  return messages.filter((m) => m.severity === severity && (!fixable || m.fix !== undefined)).length;
}

/** The results with only agent-lag's findings, their counts recomputed for the formatters. */
export function keepAgentLagFindings(
  results: readonly ESLint.LintResult[],
  ruleIds: ReadonlySet<string>,
): ESLint.LintResult[] {
  return results.map((result) => {
    const messages = result.messages.filter((m) => isAgentLagFinding(m, ruleIds));
    return {
      ...result,
      messages,
      suppressedMessages: result.suppressedMessages.filter((m) => isAgentLagFinding(m, ruleIds)),
      errorCount: count(messages, 2),
      fatalErrorCount: messages.filter((m) => m.fatal).length,
      warningCount: count(messages, 1),
      fixableErrorCount: count(messages, 2, true),
      fixableWarningCount: count(messages, 1, true),
      usedDeprecatedRules: result.usedDeprecatedRules.filter((rule) => ruleIds.has(rule.ruleId)),
    };
  });
}
