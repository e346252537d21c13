// One flat config for the whole monorepo: typed linting so floating promises are caught.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readdirSync } from 'node:fs';

const SERVICES = readdirSync(new URL('./services', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

/**
 * A service's src is its own: others reach it through its package's exports map (a workspace
 * import such as '@ticketping/queue/config'), never by path, so what a service offers stays explicit.
 */
const otherServicesSrc = (own) => ({
  group: [...SERVICES.filter((name) => name !== own).map((name) => `**/${name}/src/**`), '@ticketping/*/src/**'],
  message: "import another service through its package's exports map ('@ticketping/<service>/<export>'), not its src folder",
});

/**
 * Use cases read top to bottom over repositories and clients passed in: HTTP, SQL and Redis stay
 * in routes, repositories and stores, so a use case runs in a unit test on in-memory fakes.
 */
const NOT_IN_USE_CASES = ['express', 'knex', 'ioredis'].map((name) => ({ name, message: 'a *.service.ts is a use case: HTTP, SQL and Redis belong in *.routes.ts, *.repo.ts or a store' }));

/** Per workspace; a later block's no-restricted-imports replaces an earlier one's, so *.service.ts repeats the patterns. */
const importBoundaries = [
  { files: ['**/*.ts', '**/*.js', '**/*.mjs'], rules: { 'no-restricted-imports': ['error', { patterns: [otherServicesSrc(undefined)] }] } },
  ...SERVICES.flatMap((name) => [
    { files: [`services/${name}/**/*.ts`, `services/${name}/**/*.js`], rules: { 'no-restricted-imports': ['error', { patterns: [otherServicesSrc(name)] }] } },
    { files: [`services/${name}/**/*.service.ts`], rules: { 'no-restricted-imports': ['error', { paths: NOT_IN_USE_CASES, patterns: [otherServicesSrc(name)] }] } },
  ]),
  { files: ['packages/**/*.service.ts', 'operators/**/*.service.ts'], rules: { 'no-restricted-imports': ['error', { paths: NOT_IN_USE_CASES, patterns: [otherServicesSrc(undefined)] }] } },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', '.testenv/**', '.data/**', 'charts/*/templates/**', 'services/web/public/**', '**/*.generated.ts', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...importBoundaries,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-console': 'error' },
  },
  {
    // Browser code and load scripts print on purpose.
    files: ['bench/**', 'services/web/src/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: { 'no-console': 'off' },
  },
);
