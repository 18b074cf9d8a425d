import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'dist-packages/**', 'out/**', '**/vitest.config.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // Rule 1 of ARCHITECTURE.md: a domain package imports @nextx/core and nothing from another domain.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Core may load the optional native addon; the addon depends on no nextx package.
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core', 'scope:native'] },
            { sourceTag: 'scope:native', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:domain', onlyDependOnLibsWithTags: ['scope:core'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
