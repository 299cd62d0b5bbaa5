import { RuleTester as BaseRuleTester, type InvalidTestCase, type RuleTesterConfig, type TestLanguageOptions, type ValidTestCase } from '@typescript-eslint/rule-tester';
import type { TSESLint } from '@typescript-eslint/utils';

/*
 * @typescript-eslint/rule-tester's RuleTester with the types these tests need; the runtime is the same.
 * - Rule-tester 8.72 brings its own @typescript-eslint/utils 8.72, whose RuleModule type TypeScript holds
 *   distinct from the plugin's 8.73 one, though the two are the same object shape.
 * - Its TestLanguageOptions lacks `sourceType`, which ESLint's flat config (and so the tester) takes:
 *   the CommonJS cases set it.
 * Test cases are still checked against each rule's message ids and options.
 */

type LanguageOptions = TestLanguageOptions & { readonly sourceType?: 'module' | 'script' | 'commonjs' };
type Valid<Options extends readonly unknown[]> = string | (Omit<ValidTestCase<Options>, 'languageOptions'> & { readonly languageOptions?: LanguageOptions });
type Invalid<MessageIds extends string, Options extends readonly unknown[]> = Omit<InvalidTestCase<MessageIds, Options>, 'languageOptions'> & {
  readonly languageOptions?: LanguageOptions;
};

export interface Tests<MessageIds extends string, Options extends readonly unknown[]> {
  readonly valid: readonly Valid<Options>[];
  readonly invalid: readonly Invalid<MessageIds, Options>[];
}

export class RuleTester {
  readonly #tester: BaseRuleTester;

  constructor(config?: RuleTesterConfig) {
    this.#tester = new BaseRuleTester(config);
  }

  run<MessageIds extends string, Options extends readonly unknown[]>(
    ruleName: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any rule's docs type
    rule: TSESLint.RuleModule<MessageIds, Options, any>,
    tests: Tests<MessageIds, Options>,
  ): void {
    this.#tester.run(ruleName, rule as unknown as Parameters<BaseRuleTester['run']>[1], tests);
  }
}
