// The rolling 10-minute record of worker activity, on an injected clock: the bucket ring
// alone, the tracker's figures (busy time across the window's edge, a job still running,
// a worker registered lately, a removed worker), and the backend wiring over a real
// operations service on a real SQLite file.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobKindRegistry } from '@ktrdr/shared';
import { tempDir } from '@ktrdr/testkit';
import { DispatchQueues } from '../../src/dispatch/dispatch-queues.js';
import { EventBus } from '../../src/events/event-bus.js';
import { OperationStore } from '../../src/operations/operation-store.js';
import { OperationsService } from '../../src/operations/operations-service.js';
import { openDatabase } from '../../src/storage/database.js';
import { ActivityTracker } from '../../src/workers/activity-tracker.js';
import { RollingSeconds } from '../../src/workers/rolling-seconds.js';
import { WorkerActivity } from '../../src/workers/worker-activity.js';
import { WorkerRegistry, type WorkerRecord } from '../../src/workers/worker-registry.js';

const S = 1000;
const MIN = 60 * S;
/** A start well past the epoch, on a second boundary. */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function clock(start = T0) {
  let t = start;
  return {
    now: () => t,
    set: (ms: number) => void (t = ms),
    advance: (ms: number) => void (t += ms),
  };
}

describe('RollingSeconds', () => {
  it('spreads a span over the seconds it covers and forgets what leaves the window', () => {
    const ring = new RollingSeconds(10);
    ring.addSpan(T0 + 500, T0 + 2_250); // 500 + 1000 + 250 ms
    assert.equal(ring.sum(T0 + 2_250), 1_750);
    assert.equal(ring.sum(T0 + 2_250, 1), 250, 'the newest second holds its part only');
    // 10 s later the first second (T0) is out; 11 s later everything up to T0+1s is
    assert.equal(ring.sum(T0 + 10_000), 1_250);
    assert.equal(ring.sum(T0 + 11_000), 250);
    assert.equal(ring.sum(T0 + 12_000), 0);
  });

  it('clips a span that began before the window to the window', () => {
    const ring = new RollingSeconds(10);
    ring.addSpan(T0, T0 + 60_000);
    // the ring holds 9 whole seconds and the current one (0 ms of it so far)
    assert.equal(ring.sum(T0 + 60_000), 9_000);
  });

  it('drops a point older than the window and refuses a length that is no whole number', () => {
    const ring = new RollingSeconds(5);
    ring.add(T0 + 20_000, 1);
    ring.add(T0, 1);
    assert.equal(ring.sum(T0 + 20_000), 1);
    assert.throws(() => new RollingSeconds(0), /positive integer, got 0/);
  });
});

describe('ActivityTracker', () => {
  it('counts busy time and completions over the last 10 minutes once the worker is older than that', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    const registered = T0;
    // 20 jobs of 3 s each, back to back from T0 + 2 min, then idle
    let t = T0 + 2 * MIN;
    for (let i = 0; i < 20; i++) {
      c.set(t + 3 * S);
      tracker.jobEnded('w1', t, true);
      t += 3 * S;
    }
    c.set(T0 + 12 * MIN);
    const f = tracker.figures('w1', registered);
    assert.equal(f.window_seconds, 600);
    assert.equal(f.busy_fraction, 60 / 600);
    assert.equal(f.completed_per_minute, 2);
    assert.equal(f.items_per_minute, 0);
  });

  it('keeps only the part of a busy interval that lies inside the window', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    // one job from T0 to T0 + 5 min, ended then; read at T0 + 13 min the window starts at
    // T0 + 3 min, so 2 min of it are left
    c.set(T0 + 5 * MIN);
    tracker.jobEnded('w1', T0, true);
    c.set(T0 + 13 * MIN);
    const inside = tracker.figures('w1', T0 - 60 * MIN);
    assert.equal(inside.busy_fraction, 0.2);
    assert.equal(inside.completed_per_minute, 0.1, 'it completed inside the window: 1 in 10 min');
    // a job that started before the window and ended inside it: only its inside part
    c.set(T0 + 20 * MIN);
    tracker.jobEnded('w1', T0 + 6 * MIN, false);
    const f = tracker.figures('w1', T0 - 60 * MIN);
    assert.equal(f.busy_fraction, 1, 'busy the whole window');
    assert.equal(
      f.completed_per_minute,
      0,
      'the first job completed before this window; a failed job is busy time, not a completion',
    );
  });

  it('counts a job still running with its time so far, never above 1', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    c.set(T0 + 20 * MIN);
    const f = tracker.figures('w1', T0, { startedAtMs: T0 + 20 * MIN - 150 * S });
    assert.equal(f.busy_fraction, 150 / 600);
    const older = tracker.figures('w1', T0, { startedAtMs: T0 });
    assert.equal(older.busy_fraction, 1);
  });

  it('measures a worker younger than the window over its lifetime, and says so in window_seconds', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    const registered = T0 + 30 * S;
    c.set(registered + 30 * S);
    tracker.jobEnded('w1', registered + 10 * S, true);
    c.set(registered + 60 * S);
    const f = tracker.figures('w1', registered, { startedAtMs: registered + 45 * S });
    assert.equal(f.window_seconds, 60);
    assert.equal(f.busy_fraction, (20 + 15) / 60);
    assert.equal(f.completed_per_minute, 1);
  });

  it('counts a job reported after a (re-)registration only from the registration on', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    // the backend was away: the worker registers again at T0 + 5 min and reports a job it
    // ran from T0 + 1 min; 30 s later the job counts for those 30 s, not for 4.5 min
    const registered = T0 + 5 * MIN;
    c.set(registered);
    tracker.jobEnded('w1', T0 + MIN, true);
    c.set(registered + 30 * S);
    const f = tracker.figures('w1', registered);
    assert.equal(f.window_seconds, 30);
    assert.equal(f.busy_fraction, 0, 'it ended as the worker registered');
    assert.equal(f.completed_per_minute, 2, 'its completion counts: 1 in 30 s');
  });

  it('reports items per minute (a shard’s sets) and forgets a removed worker', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    c.set(T0 + 20 * MIN);
    tracker.recordItems('w1', 300);
    tracker.recordItems('w1', 0);
    tracker.jobEnded('w1', T0 + 19 * MIN, true);
    assert.equal(tracker.figures('w1', T0).items_per_minute, 30);
    tracker.forget('w1');
    assert.deepEqual(tracker.known(), []);
    assert.deepEqual(tracker.figures('w1', T0), {
      busy_fraction: 0,
      completed_per_minute: 0,
      items_per_minute: 0,
      window_seconds: 600,
    });
  });

  it("gives the cluster's completions per minute (10 min) and per second (last minute)", () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    // 10 s after the start: 50 jobs over two workers
    c.set(T0 + 10 * S);
    for (let i = 0; i < 50; i++) tracker.jobEnded(i % 2 ? 'w1' : 'w2', T0 + 9 * S, true);
    assert.deepEqual(tracker.throughput(), {
      completed_per_minute: 300,
      completed_per_second: 5,
      window_seconds: 10,
    });
    // 15 min later: nothing in the last minute, nothing in the window
    c.set(T0 + 15 * MIN);
    assert.deepEqual(tracker.throughput(), {
      completed_per_minute: 0,
      completed_per_second: 0,
      window_seconds: 600,
    });
  });
});

describe('WorkerActivity over a real operations service', () => {
  const dir = tempDir();
  after(() => dir.remove());

  function setup() {
    const c = clock();
    const db = openDatabase(`${dir.path}/ops-${Math.random().toString(36).slice(2)}.db`);
    const events = new EventBus();
    const operations = new OperationsService({
      store: new OperationStore(db),
      events,
      queues: new DispatchQueues(),
      kinds: new JobKindRegistry([]),
      now: () => new Date(c.now()),
    });
    const registry = new WorkerRegistry(events, c.now);
    const activity = new WorkerActivity({ operations, registry, now: c.now });
    const worker: WorkerRecord = {
      worker_id: 'w1',
      worker_type: 'backtesting',
      endpoint_url: 'http://127.0.0.1:1',
      connection: 'direct',
      status: 'available',
      capabilities: { gpu: false, cpu_cores: 2, memory_mb: 1024, version: '1' },
      callback_token: null,
      current_operation_id: null,
      current_attempt: null,
      registered_at: c.now(),
      last_heard_at: c.now(),
      last_heartbeat_at: c.now(),
      last_dispatched_at: 0,
      idle_mismatch_since: null,
      probing: false,
    };
    registry.upsert(worker);
    const start = () => {
      const op = operations.create({
        type: 'backtesting',
        metadata: {},
        provenance: { strategy_hash: 'h', data_etag: 'e', code_version: '1' },
        job: { strategy_name: 'sma_crossover' },
      });
      operations.assignWorker(op.operation_id, 'w1', 'test');
      registry.setState(worker, 'busy', { id: op.operation_id, attempt: 1 });
      operations.markRunning(op.operation_id);
      return op.operation_id;
    };
    const close = () => {
      activity.close();
      registry.close();
      // as the backend does on close: the `running` rows still waiting, then the database
      operations.writePending();
      db.close();
    };
    return { c, operations, registry, activity, worker, start, close };
  }

  it('counts each operation from its assignment to its end, and the one running now so far', () => {
    const { c, operations, registry, activity, worker, start, close } = setup();
    try {
      for (let i = 0; i < 3; i++) {
        const id = start();
        c.advance(10 * S);
        operations.finish(id, i === 2 ? 'failed' : 'completed', { error: 'boom' });
        registry.setState(worker, 'available', { id: null, attempt: null });
        c.advance(10 * S);
      }
      start();
      c.advance(20 * S); // 80 s since registration: busy 30 s ended + 20 s running
      const wire = activity.wireWorker(worker);
      assert.deepEqual(wire.activity, {
        busy_fraction: 0.625,
        completed_per_minute: 1.5,
        window_seconds: 80,
      });
      assert.equal(wire.worker_id, 'w1');
      assert.deepEqual(activity.wireCluster(), {
        completed_per_minute: 1.5,
        // one of the two completed in the last minute (T0 + 30 s); the other at T0 + 10 s
        completed_per_second: 0.017,
        window_seconds: 80,
      });
    } finally {
      close();
    }
  });

  it('leaves out operations the backend ran itself, and forgets a worker removed from the roster', () => {
    const { c, operations, registry, activity, worker, start, close } = setup();
    try {
      const own = operations.create({
        type: 'sweep',
        metadata: {},
        provenance: { strategy_hash: 'h', data_etag: 'e', code_version: '1' },
        job: null,
      });
      operations.markRunning(own.operation_id);
      c.advance(5 * S);
      operations.finish(own.operation_id, 'completed');
      assert.deepEqual(activity.tracker.known(), [], 'no worker held the sweep');

      const id = start();
      c.advance(5 * S);
      operations.finish(id, 'completed');
      assert.deepEqual(activity.tracker.known(), ['w1']);
      registry.remove('w1', 'left the cluster');
      assert.deepEqual(activity.tracker.known(), []);
      assert.equal(activity.figures(worker).completed_per_minute, 0);
    } finally {
      close();
    }
  });
});
