import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test/e2e/.cache/**', 'test-output/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      complexity: ['warn', 15],
      'max-depth': ['warn', 4],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe)$/]", message: 'no focused tests' }],
    },
  },
  {
    // The core is pure: no I/O, no clock, no adapters.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:tls', 'node:child_process', 'prom-client', '@kubernetes/client-node', 'node-forge', 'busboy'],
        patterns: ['**/adapters/**', '**/services/**', '**/config/**'],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'core has no clock: take it from the Clock port' },
        { object: 'process', property: 'env', message: 'only main.ts reads the environment' }],
    },
  },
);
