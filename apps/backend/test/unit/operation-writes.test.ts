// When the operations service writes an operation's row: a worker's reservation is kept in
// memory, and the `running` row waits up to RUNNING_WRITE_DELAY_MS for the operation's
// next write (a short backtest's outcome) — over a real SQLite file, read back through a
// second store on the same file, as a restarted backend would find it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { initialProgress, JobKindRegistry } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { DispatchQueues } from '../../src/dispatch/dispatch-queues.js';
import { EventBus } from '../../src/events/event-bus.js';
import { OperationStore } from '../../src/operations/operation-store.js';
import {
  OperationsService,
  RUNNING_WRITE_DELAY_MS,
} from '../../src/operations/operations-service.js';
import { openDatabase } from '../../src/storage/database.js';

const dir = tempDir('ktrdr-operation-writes-');
after(() => dir.remove());

function setup() {
  const path = `${dir.path}/ops-${Math.random().toString(36).slice(2)}.db`;
  const db = openDatabase(path);
  const events = new EventBus();
  const announced: string[] = [];
  events.subscribe((e) => {
    if (e.event !== 'operation') return;
    const data = JSON.parse(e.frame.split('data: ')[1]!) as { status: string };
    announced.push(data.status);
  });
  const operations = new OperationsService({
    store: new OperationStore(db),
    events,
    queues: new DispatchQueues(),
    kinds: new JobKindRegistry([]),
  });
  // what a backend restarted on this file would read
  const other = openDatabase(path);
  const onDisk = (id: string) => new OperationStore(other).get(id);
  const create = () =>
    operations.create({
      type: 'backtesting',
      job: { strategy_name: 'sma_crossover' },
      metadata: {},
      provenance: { strategy_hash: null, data_etag: null, code_version: 'test' },
    });
  return { db, other, operations, onDisk, create, announced };
}

describe('operation rows', () => {
  it('keeps a reservation in memory and writes it with `running`, within the delay', async () => {
    const { operations, onDisk, create, announced, db, other } = setup();
    const record = create();
    const id = record.operation_id;
    operations.assignWorker(id, 'w1', 'least recently used of 1 available backtesting workers');
    assert.equal(onDisk(id)?.worker_id, null, 'the reservation is not written');
    assert.equal(operations.get(id)?.worker_id, 'w1', 'but it is known');
    assert.equal(operations.list({ limit: 10 }).operations[0]?.worker_id, 'w1', 'and listed');

    operations.markRunning(id);
    assert.equal(announced.at(-1), 'running', 'announced at once');
    assert.equal(onDisk(id)?.status, 'pending', 'the row waits');
    assert.deepEqual(
      operations.byStatus('running').map((r) => r.operation_id),
      [id],
      'running, asked by status',
    );
    assert.deepEqual(operations.byStatus('pending'), [], 'and no longer pending');

    await new Promise((r) => setTimeout(r, RUNNING_WRITE_DELAY_MS + 50));
    const row = onDisk(id);
    assert.equal(row?.status, 'running');
    assert.equal(row?.worker_id, 'w1');
    assert.equal(row?.attempts[0]?.worker_id, 'w1');
    db.close();
    other.close();
  });

  it('writes a short operation once: its outcome carries the `running` row that waited', async () => {
    const { operations, onDisk, create, db, other } = setup();
    const id = create().operation_id;
    operations.assignWorker(id, 'w1', 'only worker');
    operations.markRunning(id);
    operations.finish(id, 'completed', { resultSummary: { total_trades: 3 } });
    const row = onDisk(id);
    assert.equal(row?.status, 'completed');
    assert.equal(row?.worker_id, 'w1');
    assert.ok(row?.started_at, 'started_at is stored with the outcome');
    await new Promise((r) => setTimeout(r, RUNNING_WRITE_DELAY_MS + 50));
    assert.equal(onDisk(id)?.status, 'completed', 'the waiting write does not come back later');
    db.close();
    other.close();
  });

  it('writes the whole row with the first stored progress, and what waits on close', () => {
    const { operations, onDisk, create, db, other } = setup();
    const a = create().operation_id;
    const b = create().operation_id;
    for (const id of [a, b]) {
      operations.assignWorker(id, 'w1', 'only worker');
      operations.markRunning(id);
    }
    operations.recordProgress(operations.require(a), {
      ...initialProgress('bar 100'),
      percentage: 12,
    });
    assert.equal(onDisk(a)?.status, 'running', 'progress brings its running state with it');
    assert.equal(onDisk(a)?.progress.percentage, 12);
    assert.equal(onDisk(b)?.status, 'pending');
    operations.writePending();
    assert.equal(onDisk(b)?.status, 'running');
    db.close();
    other.close();
  });
});
