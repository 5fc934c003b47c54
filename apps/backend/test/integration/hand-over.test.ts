import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, initialProgress } from '@ktrdr/shared';
import { HarnessWorker, tempDir, waitFor } from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

const done = { ...initialProgress('done'), items_processed: 1, items_total: 1 };

// A worker's final report may ask for its next job (`take_next`): the answer carries it
// instead of a start request. Harness workers, whose every request the test controls.
describe('the next job in the answer to a final report', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  let client: BackendClient;
  const harnesses: HarnessWorker[] = [];
  const harness = async (workerId: string) => {
    const h = new HarnessWorker(client, { workerId, workerType: 'training' });
    await h.start();
    harnesses.push(h);
    return h;
  };
  const submitTraining = async (count: number): Promise<string[]> => {
    const { operations, dispatcher } = backend.backend.ctx;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const record = operations.create({
        type: 'training',
        metadata: {},
        provenance: { strategy_hash: null, data_etag: null, code_version: 'test' },
        job: { strategy: `s${i}` },
      });
      await dispatcher.submit(record);
      ids.push(record.operation_id);
    }
    return ids;
  };

  before(async () => {
    backend = await startTestBackend(dir.path, { heartbeatIntervalMs: 200 });
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  });
  after(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    await backend.close();
    dir.remove();
  });

  it('hands the head of the queue to the reporting worker, running, with no start request', async () => {
    const worker = await harness('hand-a');
    const [first, second, third] = await submitTraining(3);
    await worker.waitForJob();
    assert.equal(worker.job?.task_id, first);

    const answer = await worker.report({ status: 'completed', progress: done, take_next: true });
    assert.equal(answer.status, 'completed', 'the outcome is taken as usual');
    assert.equal(answer.next_job?.operation_type, 'training');
    assert.deepEqual(answer.next_job?.job, { strategy: 's1', task_id: second, attempt: 1 });
    assert.deepEqual(
      worker.jobs.map((j) => j.path),
      ['/training/start', 'report-answer'],
      'the second came in the answer, not as a start request',
    );
    const running = await client.getOperation(second!);
    assert.equal(running.status, 'running');
    assert.equal(running.worker_id, 'hand-a');
    assert.equal((await client.getWorker('hand-a')).current_operation_id, second);
    assert.equal((await client.getOperation(third!)).queue_position, 1);

    // it reports the handed job like any other; without take_next the third is sent as before
    await worker.report({ status: 'completed', progress: done });
    await waitFor('the third sent', () => worker.job?.task_id === third);
    assert.equal(worker.job?.path, '/training/start');
    const last = await worker.report({ status: 'completed', progress: done, take_next: true });
    assert.equal(last.next_job, undefined, 'an empty queue hands nothing over');
    assert.equal((await client.getWorker('hand-a')).status, 'available');
    await worker.close();
  });

  it('takes back a handed job whose answer never reached its worker: it runs again', async () => {
    const worker = await harness('hand-lost');
    const [first, second] = await submitTraining(2);
    await worker.waitForJob();
    assert.equal(worker.job?.task_id, first);
    await worker.report({ status: 'completed', progress: done, take_next: true });
    assert.equal(worker.job?.task_id, second);
    // the answer was lost on the way: the worker holds nothing, and its heartbeats say so
    worker.jobs.length = 0;
    const again = await waitFor(
      'the second sent again',
      async () => {
        await worker.heartbeat();
        return worker.job?.task_id === second ? worker.job : undefined;
      },
      { timeoutMs: 8000, intervalMs: 100 },
    );
    assert.equal(again.attempt, 2, 'under its next attempt');
    assert.equal(again.path, '/training/start');
    const op = await client.getOperation(second!);
    assert.equal(op.status, 'running');
    assert.match(op.attempts[0]?.outcome ?? '', /lost: .*without reporting an outcome/);
  });
});
