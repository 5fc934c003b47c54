// The dependency rules of DESIGN.md §1, as lint rules. Kept apart from eslint.config.js
// so a test can prove each rule fires (see packages/engine/test/layers.test.ts).
import { builtinModules } from 'node:module';

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
    ['packages/shared/src/**/*.ts'],
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
    ['packages/engine/src/**/*.ts'],
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
  restrict(
    ['packages/server-kit/src/**/*.ts'],
    [
      {
        regex: '^@ktrdr/(?!shared$)',
        message: 'server-kit imports at most @ktrdr/shared.',
      },
      crossPackageRelative,
    ],
  ),
  restrict(
    ['apps/backend/src/**/*.ts'],
    [
      {
        regex: '^@ktrdr/engine(?!/(data|validate)$)(/.*)?$',
        message:
          'The backend orchestrates and never executes: of the engine it may import only @ktrdr/engine/data and @ktrdr/engine/validate.',
      },
      { group: apps, message: 'The backend imports no other app.' },
      testOnly,
      crossPackageRelative,
    ],
  ),
  restrict(
    ['apps/worker/src/**/*.ts'],
    [
      { group: apps, message: 'The worker imports shared, engine and server-kit only.' },
      testOnly,
      crossPackageRelative,
    ],
  ),
  restrict(
    ['apps/ib-host/src/**/*.ts'],
    [
      {
        regex: '^@ktrdr/(?!(shared|server-kit)$)',
        message: 'The IB host imports shared (and server-kit) only.',
      },
      crossPackageRelative,
    ],
  ),
  restrict(
    ['packages/doctor/src/**/*.ts'],
    [
      {
        group: ['@ktrdr/*'],
        message:
          'doctor looks at the machine only: it imports nothing of the project (it runs the worker in a child process to verify a GPU).',
      },
      crossPackageRelative,
    ],
  ),
  restrict(
    ['apps/cli/src/**/*.ts'],
    [
      {
        regex: '^@ktrdr/(?!shared$|doctor$|server-kit/tls-pin$)',
        message:
          'The CLI talks HTTP through @ktrdr/shared only (and pins a TLS certificate with @ktrdr/server-kit/tls-pin; checks this machine with @ktrdr/doctor).',
      },
      crossPackageRelative,
    ],
  ),
  restrict(
    ['apps/desktop/src/**/*.ts'],
    [
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
    ],
  ),
];
