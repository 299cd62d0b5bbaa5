import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';

// @typescript-eslint/rule-tester needs the test framework's hooks wired in explicitly.
RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
// The first typed case builds a TypeScript program (seconds on a busy machine): allow for it.
RuleTester.it = (name, fn) => it(name, fn, 60_000);
RuleTester.itOnly = it.only;

// ESLint's flat config (and so the tester) takes `languageOptions.sourceType`; the tester's type omits it.
// The CommonJS cases set it to 'commonjs' (a `require`-scoped file), so declare it here.
declare module '@typescript-eslint/rule-tester' {
  interface TestLanguageOptions {
    readonly sourceType?: 'module' | 'script' | 'commonjs';
  }
}
