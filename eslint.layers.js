// The dependency rules of docs/architecture.md ("Layer rules"), as lint rules, and the rule that no import graph
// has a cycle. Kept apart from eslint.config.js so a test can prove each rule fires (see
// test/layers.test.ts).
import { builtinModules } from 'node:module';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Every TypeScript source under `dir`: React components (.tsx) obey the same rules. */
const code = (dir) => [`${dir}/**/*.{ts,tsx,mts,cts}`];

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const crossPackageRelative = {
  group: ['**/packages/*/src/**', '**/apps/*/src/**', '**/packages/*/dist/**', '**/apps/*/dist/**'],
  message: 'Import other packages by their name (@ktrdr/...), never by a relative path into them.',
};
const apps = ['@ktrdr/backend', '@ktrdr/worker', '@ktrdr/ib-host', '@ktrdr/desktop', '@ktrdr/cli'];
const testOnly = {
  group: ['@ktrdr/testkit', '@ktrdr/testkit/*'],
  message: 'testkit is for tests only.',
};

function restrict(files, patterns, paths = []) {
  return { files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export const layerRules = [
  restrict(
    code('packages/shared/src'),
    [
      { group: ['@ktrdr/*'], message: 'shared imports nothing of the project.' },
      {
        group: [
          'fastify',
          'fastify/*',
          '@fastify/*',
          'electron',
          'react',
          'react-dom',
          'undici',
          'better-sqlite3',
        ],
        message:
          'shared runs in the browser too: no server, Electron, React or Node-only libraries.',
      },
      crossPackageRelative,
    ],
    nodeBuiltins.map((name) => ({
      name,
      message: 'shared runs in the browser too: no node:* modules.',
    })),
  ),
  restrict(
    code('packages/engine/src'),
    [
      { regex: '^@ktrdr/(?!shared$)', message: 'engine imports at most @ktrdr/shared.' },
      {
        group: [
          'fastify',
          'fastify/*',
          '@fastify/*',
          'undici',
          'electron',
          'react',
          'better-sqlite3',
        ],
        message: 'engine is the pure domain core: no HTTP, storage or UI.',
      },
      crossPackageRelative,
    ],
    ['node:http', 'node:https', 'node:net', 'http', 'https', 'net'].map((name) => ({
      name,
      message: 'engine does no networking.',
    })),
  ),
  restrict(code('packages/server-kit/src'), [
    {
      regex: '^@ktrdr/(?!shared$)',
      message: 'server-kit imports at most @ktrdr/shared.',
    },
    crossPackageRelative,
  ]),
  restrict(code('apps/backend/src'), [
    {
      regex: '^@ktrdr/engine(?!/(data|validate)$)(/.*)?$',
      message:
        'The backend orchestrates and never executes: of the engine it may import only @ktrdr/engine/data and @ktrdr/engine/validate.',
    },
    { group: apps, message: 'The backend imports no other app.' },
    testOnly,
    crossPackageRelative,
  ]),
  restrict(code('apps/worker/src'), [
    { group: apps, message: 'The worker imports shared, engine and server-kit only.' },
    testOnly,
    crossPackageRelative,
  ]),
  restrict(code('apps/ib-host/src'), [
    {
      regex: '^@ktrdr/(?!(shared|server-kit)$)',
      message: 'The IB host imports shared (and server-kit) only.',
    },
    crossPackageRelative,
  ]),
  restrict(code('packages/doctor/src'), [
    {
      group: ['@ktrdr/*'],
      message:
        'doctor looks at the machine only: it imports nothing of the project (it runs the worker in a child process to verify a GPU).',
    },
    crossPackageRelative,
  ]),
  restrict(code('apps/cli/src'), [
    {
      regex: '^@ktrdr/(?!shared$|doctor$|server-kit/tls-pin$)',
      message:
        'The CLI talks HTTP through @ktrdr/shared only (and pins a TLS certificate with @ktrdr/server-kit/tls-pin; checks this machine with @ktrdr/doctor).',
    },
    crossPackageRelative,
  ]),
  restrict(code('apps/desktop/src'), [
    {
      group: ['@ktrdr/engine', '@ktrdr/engine/*', '@ktrdr/cli', '@ktrdr/server-kit'],
      message: 'The desktop app embeds services through their start functions only.',
    },
    {
      group: ['@ktrdr/backend/*', '@ktrdr/worker/*', '@ktrdr/ib-host/*'],
      message: "Import an app's package root (its start function), not its internals.",
    },
    testOnly,
    crossPackageRelative,
  ]),
  // After the desktop rule, so that for the renderer's files these options replace its own.
  ...rendererRules(),
];

/**
 * The renderer imports only `@ktrdr/shared` (its wire contract and the desktop API type),
 * its UI libraries and its own code: it runs in a plain browser too and reaches the backend
 * over HTTP. "Its own code" is checked by depth: a file `depth` folders below
 * `renderer/` may climb at most `depth` folders (`../`), never out of `renderer/` (files
 * below `maxDepth` share the last rule, the one for `maxDepth`).
 */
function rendererRules(maxDepth = 6) {
  const rules = [];
  for (let depth = 0; depth <= maxDepth; depth += 1) {
    const folders = '*/'.repeat(depth);
    const files =
      depth < maxDepth
        ? [`apps/desktop/src/renderer/${folders}*.{ts,tsx,mts,cts}`]
        : code(`apps/desktop/src/renderer/${folders.slice(0, -1)}`);
    rules.push(
      restrict(
        files,
        [
          {
            regex: '^@ktrdr/(?!shared(/desktop-api)?$)',
            message:
              'The renderer imports only @ktrdr/shared (and @ktrdr/shared/desktop-api) of the project; it reaches the backend over HTTP.',
          },
          {
            group: ['electron', 'electron/*', 'fastify', 'fastify/*', '@fastify/*'],
            message:
              'The renderer runs in a plain browser too: no Electron, no server (IPC comes through the preload).',
          },
          {
            group: ['undici', 'better-sqlite3'],
            message: 'The renderer runs in a plain browser too: no Node-only libraries.',
          },
          {
            regex: `^(\\.\\./){${depth + 1},}`,
            message:
              'The renderer imports only its own code: no relative path out of apps/desktop/src/renderer.',
          },
          crossPackageRelative,
        ],
        nodeBuiltins.map((name) => ({
          name,
          message: 'The renderer runs in a plain browser too: no node:* modules.',
        })),
      ),
    );
  }
  return rules;
}

/**
 * No module imports a module that imports it back, directly or through others. Type-only
 * imports are erased at compile time and do not count. The graph is walked within each
 * package (`.js` specifiers resolve to their `.ts`/`.tsx` sources, extensionless ones as a
 * bundler does); an import of another package is not followed: packages cannot form a
 * cycle, since `tsc -b` refuses circular project references and the layer rules above
 * order them.
 */
export const importCycleRules = [
  {
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/ignore': ['node_modules'],
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'],
          extensionAlias: {
            '.js': ['.ts', '.tsx', '.js'],
            '.mjs': ['.mts', '.mjs'],
            '.cjs': ['.cts', '.cjs'],
          },
          conditionNames: ['ktrdr-source', 'import', 'default'],
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
];
