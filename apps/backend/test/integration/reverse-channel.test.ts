import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, BackendClient } from '@ktrdr/shared';
import { startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

// A worker the backend cannot call joins over a channel it opens itself: dispatches and
// cancels come down that channel; heartbeats, reports and artifacts go up as usual.
describe('workers the backend cannot reach: the outbound channel', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  let client: BackendClient;
  let worker: WorkerProcess;
  before(async () => {
    backend = await startTestBackend(dir.path);
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
    worker = await startWorkerProcess({
      backendUrl: backend.url,
      token: TEST_TOKEN,
      cacheDir: `${dir.path}/reverse`,
      env: {
        KTRDR_WORKER_CONNECTION: 'reverse',
        // a URL nobody could call back: the channel makes it irrelevant
        KTRDR_WORKER_PUBLIC_URL: 'http://192.0.2.250:9',
        KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '2000',
      },
    });
  });
  after(async () => {
    await worker.stop('SIGKILL');
    await backend.close();
    dir.remove();
  });

  it('registers as a reverse worker, without a URL, and holds its channel open', async () => {
    const listed = await waitFor('registered with its channel open', async () => {
      const w = (await client.listWorkers()).workers.find((x) => x.worker_id === worker.workerId);
      return w && backend.backend.ctx.channels.isOpen(worker.workerId) ? w : undefined;
    });
    assert.equal(listed.connection, 'reverse');
    assert.equal(listed.endpoint_url, null);
    assert.equal(listed.status, 'available');
  });

  it('runs a backtest dispatched down the channel', async () => {
    const { operation_id, status } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2018-01-01',
    });
    assert.equal(status, 'running', 'the worker accepted the job over its channel');
    const op = await waitFor('completed', async () => {
      const o = await client.getOperation(operation_id);
      return o.status === 'completed' ? o : undefined;
    });
    assert.equal(op.worker_id, worker.workerId);
    assert.ok((await client.getBacktestResult(operation_id)).metrics.total_trades > 0);
  });

  it('cancels a running backtest down the channel', async () => {
    const { operation_id } = await client.startBacktest({ strategy_name: 'sma_crossover' });
    await waitFor(
      'under way',
      async () => (await client.getOperation(operation_id)).progress.percentage > 5,
    );
    const started = Date.now();
    const cancelled = await client.cancelOperation(operation_id, 'from the test');
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(Date.now() - started < 5000, 'the cancel reached the worker at once');
    await waitFor('the worker is free again', async () =>
      (await client.listWorkers()).workers.some(
        (w) => w.worker_id === worker.workerId && w.status === 'available',
      ),
    );
  });

  it('refuses a direct registration without a URL, and a channel for a direct or unknown worker', async () => {
    await assert.rejects(
      client.registerWorker({
        worker_id: 'no-url',
        worker_type: 'backtesting',
        capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1, version: 'test' },
      }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status === 400 &&
        /^endpoint_url: is required for a direct connection/.test(e.message),
    );
    await assert.rejects(
      client.http.fetchRaw('GET', '/api/v1/workers/nobody/channel'),
      (e: unknown) => e instanceof ApiError && e.status === 404,
    );
  });

  it('a reverse worker that goes away turns temporarily unavailable (its channel closed)', async () => {
    await worker.stop('SIGKILL');
    await waitFor(
      'temporarily unavailable',
      async () =>
        (await client.listWorkers()).workers.find((w) => w.worker_id === worker.workerId)
          ?.status === 'temporarily_unavailable',
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    assert.equal(backend.backend.ctx.channels.isOpen(worker.workerId), false);
  });
});
