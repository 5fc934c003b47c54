import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BackendClient, initialProgress } from '@ktrdr/shared';
import { HarnessWorker, recordEvents, tempDir, waitFor } from '@ktrdr/testkit';
import type { BackendHandle } from '../../src/index.js';
import { startTestBackend, TEST_TOKEN } from './cluster-fixture.js';

// Routing decisions need workers whose answers the test controls: protocol-level harness
// workers, registered over real HTTP with the real reach-back check.
describe('routing: GPU first for training, the next worker on a 503', () => {
  const dir = tempDir();
  let backend: BackendHandle;
  let client: BackendClient;
  const harnesses: HarnessWorker[] = [];
  const harness = async (options: ConstructorParameters<typeof HarnessWorker>[1]) => {
    const h = new HarnessWorker(client, options);
    await h.start();
    harnesses.push(h);
    return h;
  };

  before(async () => {
    backend = await startTestBackend(dir.path);
    client = new BackendClient({ baseUrl: backend.url, token: TEST_TOKEN });
  });
  /** Submits `count` training operations straight to the dispatcher; their ids in order. */
  const submitTraining = async (count: number): Promise<string[]> => {
    const { operations, dispatcher } = backend.backend.ctx;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const record = operations.create({
        type: 'training',
        metadata: {},
        provenance: { strategy_hash: null, data_etag: null, code_version: 'test' },
        job: { strategy: 'x' },
      });
      await dispatcher.submit(record);
      ids.push(record.operation_id);
    }
    return ids;
  };
  after(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    await backend.close();
    dir.remove();
  });

  it('sends training to a free GPU worker first and falls back to CPU, saying why', async () => {
    const cpu = await harness({ workerId: 'train-cpu', workerType: 'training' });
    const gpu = await harness({ workerId: 'train-gpu', workerType: 'training', gpu: true });
    const { operations, dispatcher } = backend.backend.ctx;
    const newTraining = () =>
      operations.create({
        type: 'training',
        metadata: {},
        provenance: { strategy_hash: null, data_etag: null, code_version: 'test' },
        job: { strategy: 'x' },
      });

    const first = newTraining();
    await dispatcher.submit(first);
    const onGpu = await client.getOperation(first.operation_id);
    assert.equal(onGpu.status, 'running');
    assert.equal(onGpu.worker_id, 'train-gpu');
    assert.match(onGpu.routing_reason ?? '', /^GPU worker preferred \(Test GPU\)/);
    assert.equal(gpu.job?.path, '/training/start');

    const second = newTraining();
    await dispatcher.submit(second);
    const onCpu = await client.getOperation(second.operation_id);
    assert.equal(onCpu.worker_id, 'train-cpu');
    assert.equal(onCpu.routing_reason, 'no GPU worker free, fell back to CPU');
    assert.equal(cpu.jobs.length, 1);

    // both busy: the third waits, and starts on the GPU worker once it reports completion
    const third = newTraining();
    await dispatcher.submit(third);
    assert.equal((await client.getOperation(third.operation_id)).queue_position, 1);
    await gpu.report({
      status: 'completed',
      progress: { ...initialProgress('done'), items_processed: 10, items_total: 10 },
    });
    const moved = await waitFor('third running', async () => {
      const op = await client.getOperation(third.operation_id);
      return op.status === 'running' ? op : undefined;
    });
    assert.equal(moved.worker_id, 'train-gpu');
    const done = await client.getOperation(first.operation_id);
    assert.equal(done.status, 'completed');
    assert.equal(done.progress.percentage, 100);
  });

  it('tries the next worker when one answers 503, and uses the busy one again once it says idle', async () => {
    const refuser = await harness({ workerId: 'bt-refuser', refuseWork: true });
    const acceptor = await harness({ workerId: 'bt-acceptor' });
    const started = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    assert.equal(started.status, 'running');
    const op = await client.getOperation(started.operation_id);
    assert.equal(op.worker_id, 'bt-acceptor');
    assert.equal(refuser.jobs.length, 0);
    assert.equal(acceptor.jobs.length, 1);
    assert.equal(
      (await client.getWorker('bt-refuser')).status,
      'busy',
      'the refusing worker is skipped until it is idle',
    );

    refuser.refuseWork = false;
    await refuser.heartbeat();
    assert.equal((await client.getWorker('bt-refuser')).status, 'available');
    const next = await client.startBacktest({
      strategy_name: 'sma_crossover',
      start_date: '2019-01-01',
    });
    assert.equal((await client.getOperation(next.operation_id)).worker_id, 'bt-refuser');
  });

  it('announces queue moves, gathered, with each queued operation’s latest place', async () => {
    const worker = await harness({ workerId: 'train-queue', workerType: 'training' });
    const events = await recordEvents(client);
    const ids = await submitTraining(5);
    // the first runs; the other four wait at 1…4; two of them start one after the other
    for (const finished of [0, 1]) {
      await waitFor('job on the worker', () => worker.job?.task_id === ids[finished]);
      await worker.report({
        status: 'completed',
        progress: { ...initialProgress('done'), items_processed: 1, items_total: 1 },
      });
    }
    await waitFor('the third running', () => worker.job?.task_id === ids[2]);
    const latest = (id: string) =>
      events.events
        .filter((e) => e.event === 'operation' && e.data.operation_id === id)
        .map((e) => (e.event === 'operation' ? e.data.queue_position : undefined))
        .at(-1);
    // what a client following the stream sees, a moment later: the places of now
    await waitFor('the moves announced', () => latest(ids[3]!) === 1 && latest(ids[4]!) === 2, {
      timeoutMs: 5000,
    });
    assert.equal((await client.getOperation(ids[4]!)).queue_position, 2);
    events.close();
  });

  it('announces every move of the queue’s head, and a long tail’s places only as they halve', async () => {
    const { operations } = backend.backend.ctx;
    const worker = harnesses.find((h) => h.options.workerId === 'train-queue')!;
    const events = await recordEvents(client);
    const queued = operations.byStatus('pending').length;
    const ids = await submitTraining(150);
    const places = (id: string) =>
      events.events
        .filter((e) => e.event === 'operation' && e.data.operation_id === id)
        .map((e) => (e.event === 'operation' ? e.data.queue_position : undefined));
    const last = ids.at(-1)!;
    const lastPlace = queued + 150;
    await waitFor('the submissions announced', () => places(last).length === 1);
    assert.deepEqual(places(last), [lastPlace]);
    // one start: everyone moves up one place
    const running = worker.job!.task_id;
    await worker.report({
      status: 'completed',
      progress: { ...initialProgress('done'), items_processed: 1, items_total: 1 },
    });
    await waitFor('the next one running', () => worker.job?.task_id !== running);
    await waitFor('the head’s move announced', () => places(ids[0]!).at(-1) === queued, {
      timeoutMs: 5000,
    });
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(places(last), [lastPlace], `one place of ${lastPlace} is not news`);
    assert.equal(
      (await client.getOperation(last)).queue_position,
      lastPlace - 1,
      'asked, it is exact',
    );
    events.close();
  });
});
