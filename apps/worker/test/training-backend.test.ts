import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { REPO_ROOT, tempDir } from '@ktrdr/testkit';
import { loadWorkerConfig, WorkerConfigError } from '../src/index.js';
import { loadTrainingBackend } from '../src/training/backend-loader.js';

const base = { KTRDR_CLUSTER_TOKEN: 't' };

describe('training backends', () => {
  it('auto falls through to the first backend that loads here and says why the others did not', async () => {
    const loaded = await loadTrainingBackend('auto');
    // on this machine: no libtensorflow (tfjs-node's install cannot download it) and no GPU
    // adapter; a machine with either loads it instead, and this test says which
    assert.ok(['cuda', 'webgpu', 'node', 'wasm'].includes(loaded.name), loaded.name);
    const tried = loaded.attempts.map((a) => a.backend);
    assert.deepEqual(tried, ['cuda', 'webgpu', 'node', 'wasm', 'cpu'].slice(0, tried.length));
    for (const attempt of loaded.attempts.slice(0, -1)) {
      assert.equal(attempt.loaded, false);
      assert.ok(attempt.reason.length > 10, `${attempt.backend}: "${attempt.reason}"`);
    }
    assert.equal(loaded.attempts.at(-1)?.loaded, true);
    assert.equal(loaded.gpu, loaded.name === 'cuda' || loaded.name === 'webgpu');
  });

  it('a forced backend must load', async () => {
    const cpu = await loadTrainingBackend('cpu');
    assert.equal(cpu.name, 'cpu');
    assert.equal(cpu.gpu, false);
  });

  it('validates the setting and the GPU host flag', () => {
    const config = loadWorkerConfig({ ...base }, ['--gpu-host']);
    assert.equal(config.workerType, 'training');
    assert.equal(config.port, 5002);
    assert.equal(config.gpuHost, true);
    assert.equal(loadWorkerConfig({ ...base, KTRDR_WORKER_TYPE: 'training' }).port, 5004);
    assert.throws(
      () =>
        loadWorkerConfig({ ...base, KTRDR_WORKER_TYPE: 'training', KTRDR_TRAINING_BACKEND: 'tpu' }),
      (e: unknown) =>
        e instanceof WorkerConfigError &&
        /KTRDR_TRAINING_BACKEND .* must be auto or one of: cuda, webgpu, node, wasm, cpu \(got "tpu"\)/.test(
          e.message,
        ),
    );
    assert.throws(
      () => loadWorkerConfig({ ...base, KTRDR_WORKER_TYPE: 'backtesting' }, ['--gpu-host']),
      /--gpu-host runs a training worker/,
    );
  });

  it('the training host service refuses to start without a GPU backend, naming each reason', async () => {
    const dir = tempDir();
    try {
      const child = spawn(process.execPath, [`${REPO_ROOT}apps/worker/dist/bin.js`, '--gpu-host'], {
        env: {
          ...process.env,
          ...base,
          KTRDR_BACKEND_URL: 'http://127.0.0.1:9',
          KTRDR_WORKER_HOST: '127.0.0.1',
          KTRDR_WORKER_PORT: '0',
          KTRDR_CACHE_DIR: dir.path,
          KTRDR_LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 1);
      assert.match(stderr, /the training host service needs a GPU backend, and none loaded/);
      assert.match(stderr, /training backend cuda: not loaded \(/);
      assert.match(stderr, /training backend webgpu: not loaded \(/);
      assert.match(stderr, /Run a CPU training worker instead/);
    } finally {
      dir.remove();
    }
  });
});
