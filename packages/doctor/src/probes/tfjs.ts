import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where an npm package is installed, or undefined. */
export function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The state of a TensorFlow.js native binding package (tfjs-node or tfjs-node-gpu). */
export type BindingState =
  | { state: 'no-package' }
  | { state: 'no-binding'; dir: string }
  | { state: 'binding'; dir: string; binding: string };

/**
 * Whether the package's install script ran: it downloads libtensorflow and leaves
 * `lib/napi-v*\/tfjs_binding.node`; without it, importing the package fails.
 */
export function tfjsBinding(
  name: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu',
  dir = packageDir(name),
): BindingState {
  if (!dir) return { state: 'no-package' };
  const lib = join(dir, 'lib');
  if (existsSync(lib)) {
    for (const sub of readdirSync(lib)) {
      const binding = join(lib, sub, 'tfjs_binding.node');
      if (sub.startsWith('napi-v') && existsSync(binding))
        return { state: 'binding', dir, binding };
    }
  }
  return { state: 'no-binding', dir };
}
