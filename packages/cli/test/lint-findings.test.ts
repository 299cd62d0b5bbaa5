import type { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { keepAgentLagFindings } from '../src/lint/findings.js';

const ours = new Set(['@agent-lag/no-sync-fs']);

function message(ruleId: string | null, severity: 1 | 2, extra: Partial<Linter.LintMessage> = {}): Linter.LintMessage {
  return { ruleId, severity, message: `${ruleId ?? 'core'} says`, line: 1, column: 1, ...extra };
}

function result(messages: Linter.LintMessage[]): ESLint.LintResult {
  return {
    filePath: '/p/a.js',
    messages,
    suppressedMessages: [],
    errorCount: 99,
    fatalErrorCount: 99,
    warningCount: 99,
    fixableErrorCount: 99,
    fixableWarningCount: 99,
    usedDeprecatedRules: [{ ruleId: 'no-new-symbol', replacedBy: [] }],
  };
}

describe('keepAgentLagFindings', () => {
  it("keeps agent-lag's findings and parse errors, drops other rules and directive notes, and recounts", () => {
    const [kept] = keepAgentLagFindings(
      [
        result([
          message('@agent-lag/no-sync-fs', 2),
          message('no-unused-vars', 1),
          // A disable comment naming a rule nobody loaded.
          message('some-plugin/not-a-rule', 2),
          // ESLint's "Unused eslint-disable directive" note.
          message(null, 1),
          message(null, 2, { fatal: true, message: 'Parsing error: Unexpected token' }),
        ]),
      ],
      ours,
    );
    expect(kept?.messages.map((m) => m.ruleId ?? m.message)).toEqual(['@agent-lag/no-sync-fs', 'Parsing error: Unexpected token']);
    expect(kept).toMatchObject({ errorCount: 2, fatalErrorCount: 1, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 });
    expect(kept?.usedDeprecatedRules).toEqual([]);
  });

  it('leaves a result with nothing of ours empty and at zero', () => {
    const [kept] = keepAgentLagFindings([result([message('no-debugger', 2)])], ours);
    expect(kept).toMatchObject({ messages: [], errorCount: 0, warningCount: 0, fatalErrorCount: 0 });
  });
});
