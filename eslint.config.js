// ESLint flat config. Type-aware rules for all TypeScript; import boundaries keep the
// architecture honest: no Electron outside electron/, no Node or Electron in renderer/.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'http', 'https', 'net', 'child_process', 'os', 'crypto'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'integrations/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Enums are not erasable; use a union of literals.' }],
    },
  },
  {
    files: ['kiosk/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'kiosk/ runs without Electron; put Electron code in electron/.' }] }],
    },
  },
  {
    // The relay and nothing else: it knows the shared core and the wire, not who drives it.
    files: ['server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'server/ runs without Electron; put Electron code in electron/.' }],
          patterns: [{ group: ['**/kiosk/**', '**/electron/**', '**/renderer/**'], message: 'server/ is the relay: it may import core/ and protocol/ only.' }],
        },
      ],
    },
  },
  {
    // The core is shared by every part; it depends on none of them.
    files: ['core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'core/ runs without Electron.' }],
          patterns: [{ group: ['**/server/**', '**/kiosk/**', '**/electron/**', '**/renderer/**'], message: 'core/ is shared by every part and imports none of them.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the shell only through the preload bridge.' }],
          patterns: [
            { group: NODE_BUILTINS, message: 'The renderer runs in a sandboxed page: no Node modules.' },
            { group: ['**/core/**', '**/server/**', '**/kiosk/**'], message: 'The renderer talks to the server over HTTP and /ws only; it may import protocol/ and sdk/.' },
          ],
        },
      ],
    },
  },
  {
    // The wire: plain data and functions, imported by the relay, the kiosk and the page alike.
    files: ['protocol/**'],
    rules: {
      'no-restricted-globals': ['error', ...['process', 'Buffer', 'global', 'require', 'module', '__dirname', 'setImmediate', 'window', 'document', 'navigator', 'location', 'localStorage'].map((name) => ({ name, message: 'protocol/ is pure: no Node or DOM.' }))],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'protocol/ is pure: no Electron.' }],
          patterns: [
            { group: NODE_BUILTINS, message: 'protocol/ is pure: no Node modules.' },
            { group: ['**/core/**', '**/server/**', '**/kiosk/**', '**/electron/**', '**/renderer/**', '**/sdk/**'], message: 'protocol/ imports nothing of the parts that use it.' },
          ],
        },
      ],
    },
  },
  {
    // The examples are pages too.
    files: ['examples/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Code that runs in the page: the DOM and the wire, nothing of Node or the shell.
    files: ['sdk/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'sdk/ runs in the page.' }],
          patterns: [
            { group: NODE_BUILTINS, message: 'sdk/ runs in a sandboxed page: no Node modules.' },
            { group: ['**/core/**', '**/server/**', '**/kiosk/**', '**/electron/**', '**/renderer/**'], message: 'sdk/ may import protocol/ only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
