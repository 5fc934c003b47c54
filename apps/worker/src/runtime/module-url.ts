import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

// Worker threads load their entry and the job handlers by file URL, so those files must
// be found both in the compiled package (this file is dist/runtime/module-url.js) and in
// the desktop app's bundle (this code is inlined into worker/bin.js at the worker root;
// the bundler defines KTRDR_BUNDLED there). Under tsx (tests) the extension is `.ts`.
const root =
  process.env.KTRDR_BUNDLED === '1'
    ? new URL('./', import.meta.url)
    : new URL('../', import.meta.url);
const extension = extname(fileURLToPath(import.meta.url));

/** The URL of a module of this package by its path from the package's source root, e.g. `runtime/job-thread`. */
export function workerModule(pathWithoutExtension: string): URL {
  return new URL(`${pathWithoutExtension}${extension}`, root);
}
