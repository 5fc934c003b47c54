// The esbuild options every ktrdr bundle for Node shares (the desktop app's, the worker
// image's): one ESM file per entry, with `require` and `__dirname` restored for the CommonJS
// dependencies they inline, and KTRDR_BUNDLED defined so code that finds files by path
// (worker threads, the API docs UI) looks beside the bundle.

/** TensorFlow.js stays outside every bundle: its backends register into the one tfjs-core
 * instance they import, and the wasm backend reads its .wasm files from its package dir. */
export const TENSORFLOW_PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
];

/** esbuild options for a Node ESM bundle of `version`, leaving `external` packages outside. */
export function nodeBundleOptions({ version, external }) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    external,
    conditions: ['import', 'node'],
    banner: {
      js: [
        "import { createRequire as __ktrdrRequire } from 'node:module';",
        "import { fileURLToPath as __ktrdrPath } from 'node:url';",
        "import { dirname as __ktrdrDirname } from 'node:path';",
        'const require = __ktrdrRequire(import.meta.url);',
        'const __filename = __ktrdrPath(import.meta.url);',
        'const __dirname = __ktrdrDirname(__filename);',
      ].join(' '),
    },
    define: {
      'process.env.KTRDR_BUNDLED': '"1"',
      'process.env.KTRDR_CODE_VERSION': JSON.stringify(version),
    },
  };
}
