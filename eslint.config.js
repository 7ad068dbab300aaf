// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Drivers may be imported only by the adapter packages built around them. */
const drivers = {
  'better-sqlite3': ['packages/embedded'],
  '@eventstore/db-client': ['packages/eventstoredb'],
  mongodb: ['packages/mongodb'],
  // The BullMQ adapter also holds the Redis dataset lock (SET NX PX + Lua) on its own connection.
  ioredis: ['packages/redis', 'packages/bullmq'],
  kafkajs: ['packages/kafka'],
  bullmq: ['packages/bullmq'],
};

const driverRestrictions = (except) =>
  Object.entries(drivers)
    .filter(([, homes]) => !homes.includes(except))
    .map(([name, homes]) => ({ name, message: `${name} is a driver: only ${homes.join(' and ')} import it (ports and adapters).` }));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.tools/**', '.run/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': ['error', { paths: driverRestrictions(null) }],
    },
  },
  ...[...new Set(Object.values(drivers).flat())].map((home) => ({
    files: [`${home}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths: driverRestrictions(home) }] },
  })),
  {
    // The domain is pure: zod and itself, nothing else — no driver, framework, adapter or platform code.
    files: ['packages/domain/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/domain/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|\\.{1,2}/).*', message: 'Domain code is pure: it may import only zod and other domain modules.' }] },
      ],
    },
  },
  {
    // Ports are interfaces over the domain: no adapter, driver or framework.
    files: ['packages/ports/src/**/*.ts'],
    ignores: ['packages/ports/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!@nationpulse/domain$|\\.{1,2}/|node:).*', message: 'Ports depend only on the domain.' }] },
      ],
    },
  },
  {
    // Reporting: adapters are chosen in its composition root only; relay, worker, saga and HTTP see ports.
    files: ['reporting/src/**/*.ts'],
    ignores: ['reporting/src/service.ts', 'reporting/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: driverRestrictions(null),
          patterns: [{ regex: '^@nationpulse/(embedded|kafka|mongodb|redis|eventstoredb)(/.*)?$', message: 'Only reporting/src/service.ts (the composition root) picks adapters.' }],
        },
      ],
    },
  },
  {
    // The web UI runs in the browser and talks only to the gateway's public API: no Node modules, no server packages
    // (but the types of the read API's answers, `read-api/audit-answers`, imported as types: erased from the bundle).
    files: ['packages/web/src/**/*.{ts,tsx}'],
    ignores: ['packages/web/src/e2e/**', 'packages/web/src/reference/generate-country-codes.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: driverRestrictions(null),
          patterns: [
            { regex: '^(node:|@nationpulse/(?!read-api/audit-answers$))', message: "The web UI talks only to the gateway's public API: no Node modules or server packages." },
            { regex: '^@nationpulse/read-api/audit-answers$', allowTypeImports: true, message: 'The web UI takes only the types of the API answers (import type), never server code.' },
          ],
        },
      ],
    },
  },
  {
    // The CLI is a client of the public API: besides it, only the domain's schemas, the schemas of
    // the answers (`read-api/audit-answers`, `reporting/report-answer`: schemas only, the APIs' own
    // contracts) and the embedded platform's entry point (`up`); other packages' CLIs run as processes.
    files: ['packages/cli/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: driverRestrictions(null),
          patterns: [{ regex: '^@nationpulse/(?!domain$|read-api/audit-answers$|reporting/report-answer$|embedded-platform/main$|platform/testing$)', message: 'The CLI talks to the platform through its public API, not its internals.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
