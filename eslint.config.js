// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.hostwatch/**', 'services/api/public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name what a module hands out; no export *.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+(libs|services)/', message: 'Import another package through its exports map.' },
            { regex: '^\\.\\./\\.\\./(?!(src|test)/)', message: 'Import another package through its exports map.' },
            { group: ['@hostwatch/*/src/*', '@hostwatch/*/dist/*'], message: 'Import another package through its exports map.' },
          ],
        },
      ],
    },
  },
  {
    // Migrations take Kysely<any>: they are frozen and must not follow later schema types.
    files: ['libs/db/src/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', '.ci/**/*.mjs', 'services/cli/bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
