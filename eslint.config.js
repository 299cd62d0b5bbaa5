// @ts-check
import js from '@eslint/js';
import agentLag from '@agent-lag/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.cache/**',
      'coverage/**',
      'bench/results/**',
      // Fixtures are deliberately bad code: the plugin's and CLI's tests lint them on purpose.
      '**/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        project: './tsconfig.lint.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The monitor that finds blocking code must not block: the product's own code runs under its
  // strict preset. Tests, benchmarks, examples and the CLI's start-up paths are its users, not it.
  {
    ...agentLag.configs.strict,
    files: ['packages/*/src/**/*.ts'],
  },
);
