import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';

/** The TensorFlow.js backends a worker can train on, fastest first. */
export const TRAINING_BACKENDS = ['cuda', 'webgpu', 'node', 'wasm', 'cpu'] as const;
/** A training backend. */
export type TrainingBackendName = (typeof TRAINING_BACKENDS)[number];
/** `auto` or one backend forced. */
export type TrainingBackendPreference = 'auto' | TrainingBackendName;

/** The backend that loaded, and why the others did not. */
export interface LoadedBackend {
  name: TrainingBackendName;
  gpu: boolean;
  gpuName?: string;
  gpuMemoryMb?: number;
  attempts: { backend: TrainingBackendName; loaded: boolean; reason: string }[];
}

const require = createRequire(import.meta.url);

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** tfjs-node's install script downloads libtensorflow; without it the binding is missing and importing it half-registers kernels. */
function nativeBindingProblem(name: string): string | undefined {
  const dir = packageDir(name);
  if (!dir) return `${name} is not installed (an optional dependency)`;
  const lib = join(dir, 'lib');
  const found =
    existsSync(lib) &&
    readdirSync(lib).some(
      (d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')),
    );
  return found
    ? undefined
    : `${name} has no native binding: its install script (which downloads libtensorflow) did not run`;
}

type Tf = typeof TfModule;

async function tryBackend(
  tf: Tf,
  name: TrainingBackendName,
): Promise<Omit<LoadedBackend, 'attempts'>> {
  switch (name) {
    case 'cuda':
    case 'node': {
      const pkg = name === 'cuda' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const problem = nativeBindingProblem(pkg);
      if (problem) throw new Error(problem);
      await import(pkg);
      if (!(await tf.setBackend('tensorflow')))
        throw new Error(`${pkg} loaded but its backend did not initialise`);
      const usingGpu =
        (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      if (name === 'cuda' && !usingGpu)
        throw new Error('tfjs-node-gpu loaded but sees no CUDA device');
      return { name, gpu: usingGpu };
    }
    case 'webgpu': {
      if (!packageDir('webgpu'))
        throw new Error('the webgpu package is not installed (an optional dependency)');
      const dawn = (await import('webgpu')) as unknown as {
        create(flags: string[]): GPU;
        globals: Record<string, unknown>;
      };
      const gpu = dawn.create([]);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter)
        throw new Error('Dawn found no GPU adapter (no Vulkan, Metal or D3D12 device and driver)');
      Object.assign(globalThis, dawn.globals);
      const existing = (globalThis as unknown as { navigator?: object }).navigator ?? {};
      // tfjs-backend-webgpu looks for `navigator.gpu`, as in a browser
      Object.defineProperty(globalThis, 'navigator', {
        value: { ...existing, gpu },
        configurable: true,
      });
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu')))
        throw new Error('the WebGPU backend did not initialise');
      const info =
        (
          adapter as unknown as {
            info?: {
              vendor?: string;
              architecture?: string;
              device?: string;
              description?: string;
            };
          }
        ).info ?? {};
      const gpuName =
        [info.vendor, info.description || info.device || info.architecture]
          .filter(Boolean)
          .join(' ') || 'WebGPU adapter';
      return { name, gpu: true, gpuName };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dir = dirname(
        require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
      );
      // the .wasm files ship inside the package: load them from disk, never from a CDN
      wasm.setWasmPaths(`${dir}/`);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      return { name, gpu: false };
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return { name, gpu: false };
  }
}

/**
 * Loads a TensorFlow.js backend: `auto` tries CUDA (tfjs-node-gpu), WebGPU (Dawn through
 * the `webgpu` package), tfjs-node, wasm, then cpu, and keeps the first that loads; a
 * forced one must load or this throws. Every attempt is returned with its reason, for the
 * log. Only a backend that really runs on a GPU reports `gpu: true`.
 */
export async function loadTrainingBackend(
  preference: TrainingBackendPreference,
): Promise<LoadedBackend> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  const order: readonly TrainingBackendName[] =
    preference === 'auto' ? TRAINING_BACKENDS : [preference];
  const attempts: LoadedBackend['attempts'] = [];
  for (const name of order) {
    try {
      const loaded = await tryBackend(tf, name);
      await tf.ready();
      attempts.push({
        backend: name,
        loaded: true,
        reason: loaded.gpu ? `runs on ${loaded.gpuName ?? 'the GPU'}` : 'loaded',
      });
      return { ...loaded, attempts };
    } catch (error) {
      attempts.push({
        backend: name,
        loaded: false,
        reason: (error as Error).message.split('\n')[0] ?? String(error),
      });
    }
  }
  const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
  throw Object.assign(new Error(`no TensorFlow.js backend could be loaded (${why})`), { attempts });
}
