import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient } from '@ktrdr/shared';
import {
  freePort,
  startBackendProcess,
  startWorkerProcess,
  tempDir,
  waitFor,
  type BackendProcess,
  type WorkerProcess,
} from '@ktrdr/testkit';
import { TEST_TOKEN } from './cluster-fixture.js';

describe('backend killed and restarted on the same data dir', () => {
  const dir = tempDir();
  let port: number;
  let backend: BackendProcess;
  const workers: WorkerProcess[] = [];
  let client: BackendClient;

  before(async () => {
    port = await freePort();
    backend = await startBackendProcess({ dataDir: `${dir.path}/data`, port, token: TEST_TOKEN });
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
    for (const n of [1, 2]) {
      workers.push(
        await startWorkerProcess({
          backendUrl: backend.url,
          token: TEST_TOKEN,
          cacheDir: `${dir.path}/worker-${n}`,
          env: { KTRDR_WORKER_THROTTLE_BARS_PER_SEC: '1500' },
        }),
      );
    }
    await waitFor('two workers', async () => (await client.listWorkers()).total_count === 2);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await backend.stop('SIGKILL');
    dir.remove();
  });

  it('keeps history, gets its workers back within 5 s, and completes the backtest that was running', async () => {
    const done = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    await waitFor(
      'first backtest completed',
      async () => (await client.getOperation(done.operation_id)).status === 'completed',
      { timeoutMs: 15_000 },
    );
    const doneResult = await client.getBacktestResult(done.operation_id);

    const { operation_id } = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2008-01-01',
    });
    await waitFor(
      'progress past 10 %',
      async () => (await client.getOperation(operation_id)).progress.percentage > 10,
    );

    await backend.stop('SIGKILL');
    backend = await startBackendProcess({ dataDir: `${dir.path}/data`, port, token: TEST_TOKEN });
    const restartedAt = Date.now();

    await waitFor(
      'both workers registered again',
      async () => (await client.listWorkers()).total_count === 2,
      { timeoutMs: 5000 },
    );
    const backWithinMs = Date.now() - restartedAt;
    assert.ok(backWithinMs <= 5000, `workers back in ${backWithinMs} ms`);

    // history survived
    const before = await client.getOperation(done.operation_id);
    assert.equal(before.status, 'completed');
    assert.deepEqual(await client.getBacktestResult(done.operation_id), doneResult);

    // the interrupted operation was claimed by its worker and finishes
    const finished = await waitFor(
      'interrupted backtest completed',
      async () => {
        const op = await client.getOperation(operation_id);
        return op.status === 'completed' || op.status === 'failed' ? op : undefined;
      },
      { timeoutMs: 20_000 },
    );
    assert.equal(
      finished.status,
      'completed',
      `ended ${finished.status}: ${finished.error_message}`,
    );
    assert.equal(finished.attempt, 1);
    const result = await client.getBacktestResult(operation_id);
    assert.ok(result.equity_curve.length > 3000);
  });
});
