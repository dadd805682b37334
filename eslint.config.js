// ESLint flat config. The architecture rules below are the ones the README states; lint is what keeps them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Imports a folder of src/ may not make, as glob patterns relative to the importing file's folder. */
const layer = (message, ...group) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }],
});

const BUDGETS = {
  'max-len': ['warn', { code: 120, ignoreComments: false }],
  'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }],
  complexity: ['warn', 15],
  'max-params': ['warn', 4],
  '@typescript-eslint/no-non-null-assertion': 'warn',
  '@typescript-eslint/switch-exhaustiveness-check': ['warn', { considerDefaultExhaustiveForUnions: true }],
};

export default tseslint.config(
  { ignores: ['dist/', '.test-build/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // strict-type-checked rules that do not fit this code base (template literals of numbers, the
      // deliberate `void` of fire-and-forget promises), switched off with the reason here.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-deprecated': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      // Interface methods that are async by contract (a check's run) need no await of their own.
      '@typescript-eslint/require-await': 'off',
      // Port methods are passed around bound to their object by design (closures, not classes).
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'exit',
          message: 'Return an exit code to main(); it is the one exit point.',
        },
        { object: 'Date', property: 'now', message: 'Use the clock port.' },
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  { files: ['src/**/*.ts'], rules: BUDGETS },
  // Layering (README "Architecture"): each folder may import only from the floors below it.
  {
    files: ['src/core/**/*.ts'],
    rules: layer('core/ imports nothing from the rest of src/.', '../*', '!../core'),
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: layer('adapters/ import only core/.', '../*', '!../core', '!../core/*'),
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: layer(
      'Commands take their options from their own folder and the workload from the run; they never import cli/ or a workload folder.',
      '**/cli/*',
      '**/workloads/*/*',
    ),
  },
  {
    // A workload's folder is its own: outside workloads/, code reaches a workload through the registry
    // (workloads/index.ts) and the interface (workloads/workload.ts) only.
    files: ['src/*.ts', 'src/{cli,output,profile,rights,tenant,certificate}/**/*.ts'],
    rules: layer(
      'Outside workloads/, a workload is reached through the registry (workloads/index.ts), never its folder.',
      '**/workloads/*/*',
    ),
  },
  {
    files: ['src/sandbox/**/*.ts'],
    rules: layer(
      'The sandbox keeps its own facts: it imports nothing from the tool.',
      '../*',
      '!../sandbox',
      '!../sandbox/*',
    ),
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      'no-restricted-properties': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
    },
  },
  {
    files: ['bin/*.js', 'scripts/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.node } },
  },
);
