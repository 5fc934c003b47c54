#!/usr/bin/env node
// Bundles the worker into build/ for its container image: the bin, the job thread and the
// job handlers as separate files (worker threads load them by path), plus a package.json
// that lists the only packages left outside — TensorFlow.js, whose backends register into
// the one tfjs-core instance they import and whose wasm backend reads its .wasm files from
// its package dir. Run after `npx tsc -b apps/worker`; the Dockerfile does both.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeBundleOptions, TENSORFLOW_PACKAGES } from '../../../scripts/node-bundle.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const out = `${here}build`;
const manifest = JSON.parse(readFileSync(`${here}package.json`, 'utf8'));
const tensorflow = TENSORFLOW_PACKAGES;
const optional = Object.keys(manifest.optionalDependencies ?? {});
const installed = (name) =>
  JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  ...nodeBundleOptions({ version: manifest.version, external: [...tensorflow, ...optional] }),
  entryPoints: {
    bin: `${here}dist/bin.js`,
    'runtime/job-thread': `${here}dist/runtime/job-thread.js`,
    'jobs/backtest/handler': `${here}dist/jobs/backtest/handler.js`,
    'jobs/training/handler': `${here}dist/jobs/training/handler.js`,
  },
  outdir: out,
});
cpSync(`${here}scripts/healthcheck.mjs`, `${out}/healthcheck.mjs`);
// the API docs UI (@fastify/swagger-ui) reads its files from beside the code that serves it
cpSync(`${root}node_modules/@fastify/swagger-ui/static`, `${out}/static`, { recursive: true });
writeFileSync(
  `${out}/package.json`,
  `${JSON.stringify(
    {
      name: 'ktrdr-worker',
      version: manifest.version,
      private: true,
      type: 'module',
      bin: { 'ktrdr-worker': 'bin.js' },
      dependencies: Object.fromEntries(tensorflow.map((name) => [name, installed(name)])),
      optionalDependencies: manifest.optionalDependencies ?? {},
    },
    null,
    2,
  )}\n`,
);
console.log(`bundled the worker into ${out}`);
