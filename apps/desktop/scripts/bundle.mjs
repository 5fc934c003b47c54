#!/usr/bin/env node
// Bundles what the packaged desktop app runs into build/app, so it never resolves
// workspace links: the Electron main, the backend host, the preload and the worker (its
// bin, job thread and job handlers as separate files, found by path at run time).
// TensorFlow.js stays outside the bundle; electron-builder installs it. better-sqlite3 is
// not shipped at all: in Electron the backend uses node:sqlite. Run after `npm run build`;
// `npm run package` at the repository root runs this, then electron-builder (docs/desktop.md).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeBundleOptions, TENSORFLOW_PACKAGES } from '../../../scripts/node-bundle.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const out = `${here}build/app`;
const version = JSON.parse(readFileSync(`${here}package.json`, 'utf8')).version;
// the Node 20 SQLite driver: loaded only where node:sqlite is missing, never in Electron
const notShipped = ['better-sqlite3'];
const tensorflow = TENSORFLOW_PACKAGES;
// The native and GPU backends are optional: installed where their install scripts can run.
const optionalNative = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'];
const dependencyVersion = (name) =>
  JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;

// optional packages may be absent here (their install failed): take the pinned range
const optionalVersion = (name) =>
  JSON.parse(readFileSync(`${root}apps/worker/package.json`, 'utf8')).optionalDependencies?.[
    name
  ] ?? '*';

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = nodeBundleOptions({
  version,
  external: ['electron', ...notShipped, ...tensorflow, ...optionalNative],
});

await build({
  ...common,
  entryPoints: {
    main: `${here}dist/main/main.js`,
    'backend-host': `${here}dist/main/backend-host.js`,
    'worker/bin': `${root}apps/worker/dist/bin.js`,
    'ib-host/bin': `${root}apps/ib-host/dist/bin.js`,
    'worker/runtime/job-thread': `${root}apps/worker/dist/runtime/job-thread.js`,
    'worker/jobs/backtest/handler': `${root}apps/worker/dist/jobs/backtest/handler.js`,
    'worker/jobs/training/handler': `${root}apps/worker/dist/jobs/training/handler.js`,
  },
  outdir: out,
  outExtension: { '.js': '.js' },
});
await build({
  ...common,
  format: 'cjs',
  banner: {},
  entryPoints: { 'preload/preload': `${here}src/preload/preload.ts` },
  outdir: out,
  outExtension: { '.js': '.cjs' },
});

// the API docs UI (@fastify/swagger-ui) reads its files from beside the code that serves it
for (const dir of [out, `${out}/worker`, `${out}/ib-host`])
  cpSync(`${root}node_modules/@fastify/swagger-ui/static`, `${dir}/static`, { recursive: true });

writeFileSync(
  `${out}/package.json`,
  `${JSON.stringify(
    {
      name: 'ktrdr',
      productName: 'ktrdr',
      version,
      description: 'Trading-research control center',
      main: 'main.js',
      type: 'module',
      dependencies: Object.fromEntries(tensorflow.map((name) => [name, dependencyVersion(name)])),
      optionalDependencies: Object.fromEntries(
        optionalNative.map((name) => [name, optionalVersion(name)]),
      ),
    },
    null,
    2,
  )}\n`,
);
console.log(`bundled into ${out}`);
