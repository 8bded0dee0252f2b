import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports `src/core` must never make: it stays pure (DESIGN §3). */
const coreForbiddenImports = [
  { name: 'fs', message: 'src/core is pure: no file system. Use a port.' },
  { name: 'node:fs', message: 'src/core is pure: no file system. Use a port.' },
  { name: 'fs/promises', message: 'src/core is pure: no file system. Use a port.' },
  { name: 'node:fs/promises', message: 'src/core is pure: no file system. Use a port.' },
  { name: 'react', message: 'src/core must not depend on React.' },
  { name: 'react-dom', message: 'src/core must not depend on React.' },
  { name: 'kysely', message: 'src/core must not depend on the database.' },
  { name: 'better-sqlite3', message: 'src/core must not depend on the database.' },
  { name: 'sharp', message: 'src/core is pure: image I/O belongs in adapters.' },
];
const coreForbiddenPatterns = [
  { group: ['next', 'next/*'], message: 'src/core must not depend on Next.js.' },
  { group: ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/app/**', '**/config/**'], message: 'src/core depends on nothing else in src.' },
  // The planner validates against the provider contract's capability types; types are erased, so no code crosses.
  { group: ['**/providers/**'], allowTypeImports: true, message: 'src/core may use provider contract types (import type) but no provider code.' },
];

/**
 * Shells (web server, pages, CLI, MCP) parse, call one operation, map the result (DESIGN §2, §3):
 * they see ports, operations and the composed `Fleet`, never a concrete adapter or the engine's
 * internals. Type-only imports of engine modules (report shapes) are allowed: no code crosses.
 */
const shellForbiddenPatterns = [
  { group: ['**/store/**', 'kysely', 'better-sqlite3'], message: 'Shells never touch the store adapter: call an operation (src/operations) with the fleet.' },
  {
    group: ['**/engine/**', '!**/engine/ports.js', '!**/engine/ports/**', '!**/engine/engine-events.js'],
    allowTypeImports: true,
    message: 'Shells call operations (src/operations), not engine internals; only ports and the event types are shared.',
  },
  { group: ['**/providers/*/**'], message: 'Shells reach providers through the fleet\'s registry and the contract; createFleet wires the concrete ones.' },
  { group: ['**/webhooks/**'], message: 'The webhook sender is an adapter; createFleet wires it.' },
];

/** A shell reaching into the store through the fleet (`fleet.store.…`) is composing a use case itself: that is an operation's job. */
const fleetStoreAccess = [
  { selector: "MemberExpression[object.name='fleet'][property.name='store']", message: 'Call an operation (src/operations) with the fleet instead of using fleet.store directly.' },
  { selector: "MemberExpression[object.property.name='fleet'][property.name='store']", message: 'Call an operation (src/operations) with the fleet instead of using fleet.store directly.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'next-env.d.ts', 'data/**', 'coverage/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: coreForbiddenImports, patterns: coreForbiddenPatterns }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'src/core does no I/O: pass data in.' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'src/core reads no environment: config is passed in.' }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/store/**', 'kysely', 'better-sqlite3'], message: 'src/engine depends on ports (src/engine/ports.ts), not on the store adapter.' },
            { group: ['**/providers/*/**', '!**/providers/contract*'], message: 'src/engine uses the provider contract, not concrete providers.' },
            { group: ['next', 'next/*', 'react'], message: 'src/engine knows nothing of the web shell.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'config is passed in, never read from the environment here.' }],
    },
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts', 'src/mcp/**/*.ts', 'src/app/**/*.ts', 'src/app/**/*.tsx'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: shellForbiddenPatterns }],
    },
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts', 'src/mcp/**/*.ts', 'src/app/**/*.ts', 'src/app/**/*.tsx'],
    rules: { 'no-restricted-syntax': ['error', ...fleetStoreAccess] },
  },
  {
    files: ['src/operations/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/store/**', 'kysely', 'better-sqlite3'], message: 'Operations are typed by ports (src/engine/ports): a second store adapter must serve them unchanged.' },
            { group: ['**/server/**', '**/cli/**', '**/mcp/**', '**/app/**', 'next', 'next/*', 'react'], message: 'Operations know nothing of the shells that call them.' },
            { group: ['**/providers/*/**'], message: 'Operations use the provider contract and registry, not concrete providers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/engine/**'], message: 'Providers implement src/providers/contract.ts and know nothing of the engine.' },
            { group: ['**/config/**'], message: 'Providers get their settings from their module descriptor / create options, not from src/config.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    // Plain Node scripts (bin shim, tools): the Node globals they use.
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
);
