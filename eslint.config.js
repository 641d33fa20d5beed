import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ADAPTERS = path.join(import.meta.dirname, 'src', 'adapters');

/** The adapter a path belongs to: `k8s` for src/adapters/k8s/**, `log` for src/adapters/log.ts; else undefined. */
function adapterOf(file) {
  const rel = path.relative(ADAPTERS, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0].replace(/\.(ts|js)$/, '');
}

// Adapters are sealed: one never imports another (what two of them share is
// a port in src/core/ports/; src/app.ts and src/wiring/ put them together).
// Relative specifiers are resolved, so depth and `..` tricks do not matter.
const sealedAdapters = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      crossing:
        'adapter "{{from}}" imports adapter "{{to}}" ({{spec}}): share a port in src/core/ports/ and wire them in src/app.ts or src/wiring/',
    },
  },
  create(context) {
    const from = adapterOf(context.filename);
    if (!from) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = adapterOf(path.resolve(path.dirname(context.filename), spec));
      if (to && to !== from) context.report({ node, messageId: 'crossing', data: { from, to, spec } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test/e2e/.cache/**', 'test-output/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      complexity: ['warn', 15],
      'max-depth': ['warn', 4],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe)$/]",
          message: 'no focused tests',
        },
      ],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    plugins: { gate: { rules: { 'sealed-adapters': sealedAdapters } } },
    rules: { 'gate/sealed-adapters': 'error' },
  },
  {
    // Services work over ports and settings over the schema: neither knows an adapter.
    files: ['src/services/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/wiring/**', '**/app.js'],
              message:
                'services and config know ports, never adapters: wire them in src/app.ts or src/wiring/',
            },
          ],
        },
      ],
    },
  },
  {
    // The core is pure: no I/O, no clock, no adapters.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:fs',
            'node:fs/promises',
            'node:net',
            'node:http',
            'node:https',
            'node:tls',
            'node:child_process',
            'prom-client',
            '@kubernetes/client-node',
            'node-forge',
            'busboy',
          ],
          patterns: ['**/adapters/**', '**/services/**', '**/config/**'],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core has no clock: take it from the Clock port' },
        { object: 'process', property: 'env', message: 'only main.ts reads the environment' },
      ],
    },
  },
);
