// `npm run lint`: ESLint's and typescript-eslint's recommended rules over the library, its tests,
// benchmarks, demo and shader tooling, plus the root config files. Clean, with no suppressions.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'demo-dist/', 'docs/api/', 'bench/node-dist/', 'test-output/', 'node_modules/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['src/**/*.ts', 'test/**/*.{ts,js}', 'bench/**/*.{ts,mjs}', 'demo/**/*.{ts,mjs}', 'shaders/*.ts', '*.{js,ts}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // An unused argument or binding is a mistake, unless its name says it is deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
);
