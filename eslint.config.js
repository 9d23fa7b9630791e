import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src (docs/architecture.md): the composition root (app, server, main, config) → the GraphQL
// edge (graphql, resolvers) and the workers → services → infrastructure (ai, auth, db, jobs, notifications,
// protection, realtime) → the kernel. An import may only point down; these rules make a back-edge fail lint.
const relative = (dirs) => `^(\\.\\.?/)+(.*/)?(${dirs.join('|')})/`;
const rootModules = '^(\\.\\.?/)+(app|server|main|config|local-services)\\.js$';
const layer = (files, message, ...forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((regex) => ({ regex, message })) }],
  },
});
const infrastructure = ['ai', 'auth', 'db', 'jobs', 'notifications', 'protection', 'realtime'].map(
  (dir) => `src/${dir}/**/*.ts`,
);
const layerRules = [
  layer(['src/kernel/**/*.ts'], 'The kernel imports nothing of ours.', '^\\.\\./'),
  layer(
    infrastructure,
    'Infrastructure must not import services, the GraphQL edge, the workers or the composition root.',
    relative(['services', 'resolvers', 'graphql', 'workers']),
    rootModules,
  ),
  layer(
    ['src/services/**/*.ts'],
    'Services must not import the GraphQL edge, the workers or the composition root.',
    relative(['resolvers', 'graphql', 'workers']),
    rootModules,
  ),
  layer(
    ['src/workers/**/*.ts'],
    'Workers must not import the GraphQL edge or the composition root.',
    relative(['resolvers', 'graphql']),
    rootModules,
  ),
  layer(
    ['src/resolvers/**/*.ts', 'src/graphql/**/*.ts'],
    'The GraphQL edge must not import the workers or the composition root.',
    relative(['workers']),
    '^(\\.\\.?/)+(app|server|main|local-services)\\.js$',
  ),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.data',
      'src/generated',
      'client-examples/**/generated',
      'console/src/generated',
      'console/dist',
      'coverage',
      'test-artifacts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...layerRules,
);
