import { initialProgress } from '@ktrdr/shared';
import { randomBytes } from 'node:crypto';
import {
  ArtifactStore,
  openDatabase,
  OperationStore,
  SweepSetStore,
  SWEEP_SET_METRIC_COLUMNS,
  type OperationRecord,
} from '@ktrdr/backend';
import { tempDir } from '@ktrdr/testkit';

/** CPU time of this process so far, µs. */
function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** What {@link storeWrites} measured: CPU µs per row, the backend's stores on a fresh database. */
export interface StoreWrites {
  operations: number;
  /** An operation row inserted on its own (one commit each) / inside one transaction. */
  operationInsertUs: { autocommit: number; inTransaction: number };
  /**
   * A short backtest's result file (22,768 bytes, `RESULT_BYTES`) stored for each of
   * `operations` operations, one commit each, WAL checkpoints included: as a row of
   * `artifact_blobs` (before the packs) / appended to a pack with its place in a row.
   */
  resultUs: { row: number; pack: number };
  sets: number;
  /** A sweep's sets: stored pending, handed to shards of `shardSize`, their metrics recorded in batches of `batch`. */
  setUs: { insert: number; assign: number; record: number };
  shardSize: number;
  batch: number;
}

function operation(i: number): OperationRecord {
  const config = {
    name: 'sma_crossover',
    type: 'rules',
    indicators: { fast: { type: 'sma', period: 20 }, slow: { type: 'sma', period: 50 } },
    entry: { long: { crosses_above: ['fast', 'slow'] } },
    exit: { long: { crosses_below: ['fast', 'slow'] } },
  };
  return {
    operation_id: `op_backtesting_20261202_000000_${i.toString(16).padStart(8, '0')}`,
    operation_type: 'backtesting',
    status: 'pending',
    attempt: 1,
    worker_id: null,
    parent_operation_id: null,
    retry_of: null,
    created_at: new Date().toISOString(),
    started_at: null,
    completed_at: null,
    progress: initialProgress(),
    metadata: { strategy_name: 'sma_crossover', symbol: 'SP500', timeframe: '1d', parameters: {} },
    error_message: null,
    result_summary: null,
    routing_reason: null,
    attempts: [],
    provenance: { strategy_hash: 'abc', data_etag: 'def', code_version: 'bench' },
    job: { strategy: { name: 'sma_crossover', hash: 'abc', config } },
    checkpoint_ref: null,
  };
}

/** The size of a 408-bar short backtest's `result-full.bin`. */
const RESULT_BYTES = 22_768;

/**
 * The backend's SQLite writes alone, on a fresh database in a temp dir: operation rows
 * inserted one commit each against inside one transaction (what a commit costs), and a
 * sweep's sets through `SweepSetStore` as a sweep drives it (insert pending, assign to
 * shards, record metrics in batches).
 */
export async function storeWrites(
  operations = 5000,
  sets = 100_000,
  shardSize = 2500,
  batch = 500,
): Promise<StoreWrites> {
  const dir = tempDir();
  try {
    const db = openDatabase(`${dir.path}/ktrdr.db`);
    const store = new OperationStore(db);
    let n = 0;
    const autocommit = Array.from({ length: operations }, () => operation(n++));
    let t = cpuUs();
    for (const record of autocommit) store.insert(record);
    const autocommitUs = (cpuUs() - t) / operations;
    const batched = Array.from({ length: operations }, () => operation(n++));
    t = cpuUs();
    db.transaction(() => {
      for (const record of batched) store.insert(record);
    })();
    const inTransactionUs = (cpuUs() - t) / operations;

    const result = randomBytes(RESULT_BYTES);
    const asRow = db.prepare<[string, string, Uint8Array]>(
      'INSERT OR REPLACE INTO artifact_blobs (operation_id, name, bytes) VALUES (?, ?, ?)',
    );
    t = cpuUs();
    for (const record of autocommit) asRow.run(record.operation_id, 'result-full.bin', result);
    const rowUs = (cpuUs() - t) / operations;
    const artifacts = new ArtifactStore(`${dir.path}/artifacts`, db);
    t = cpuUs();
    for (const record of batched)
      artifacts.writeSmall(record.operation_id, [{ name: 'result-full.bin', bytes: result }]);
    const packUs = (cpuUs() - t) / operations;
    artifacts.close();

    const sweepSets = new SweepSetStore(db);
    const parameters = (i: number) => ({
      'indicators.fast.period': 2 + (i % 100),
      'indicators.slow.period': 102 + (Math.floor(i / 100) % 200),
      'position.value': 0.6 + 0.1 * Math.floor(i / 20_000),
    });
    const all = Array.from({ length: sets }, (_, i) => ({
      set_index: i,
      parameters: parameters(i),
    }));
    t = cpuUs();
    await sweepSets.insert('sweep_bench', all, async () => {});
    const insertUs = (cpuUs() - t) / sets;
    t = cpuUs();
    const shards: { id: string; sets: number[] }[] = [];
    for (let from = 0; from < sets;) {
      const id = `shard_${shards.length}`;
      const { sets: got } = sweepSets.assignNext('sweep_bench', id, shardSize, from);
      shards.push({ id, sets: got.map((s) => s.set_index) });
      from = (got.at(-1)?.set_index ?? sets) + 1;
    }
    const assignUs = (cpuUs() - t) / sets;
    const ranking = { objective: 'sharpe_ratio', sign: 1 as const, constraints: {} };
    t = cpuUs();
    for (const shard of shards)
      for (let b = 0; b < shard.sets.length; b += batch) {
        const indices = shard.sets.slice(b, b + batch);
        const metrics = Object.fromEntries(
          SWEEP_SET_METRIC_COLUMNS.map((c) => [c, indices.map((i) => (i % 97) / 97)]),
        );
        sweepSets.record(
          'sweep_bench',
          shard.id,
          'bench-worker',
          { set_index: indices, metrics },
          ranking,
        );
      }
    const recordUs = (cpuUs() - t) / sets;
    db.close();
    return {
      operations,
      operationInsertUs: { autocommit: autocommitUs, inTransaction: inTransactionUs },
      resultUs: { row: rowUs, pack: packUs },
      sets,
      setUs: { insert: insertUs, assign: assignUs, record: recordUs },
      shardSize,
      batch,
    };
  } finally {
    dir.remove();
  }
}
