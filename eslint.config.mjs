import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', '.enclave/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:labeling', onlyDependOnLibsWithTags: ['scope:contracts'] },
            { sourceTag: 'scope:migrations', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:labeling', 'scope:migrations'] },
            { sourceTag: 'type:tests', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:labeling', 'type:app'] },
          ],
        },
      ],
    },
  },
  {
    // contracts is shared by the API and the browser: no framework may leak into it
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'react', 'react-dom', 'typeorm', 'pg', 'express', 'node:*'] },
      ],
    },
  },
  {
    files: ['libs/labeling/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'react', 'react-dom', 'typeorm', 'pg', 'express', 'node:fs', 'node:net', 'node:http'] },
      ],
    },
  },
  prettier,
);
