// A data set written and read through the real stores, the same in this process and in a
// child process on another Node (sqlite-cross-child.ts): what the cross-driver test
// compares. Not a test file itself.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocateBars, type Bars } from '@ktrdr/engine/data';
import { initialProgress, type ModelDocumentWire } from '@ktrdr/shared';
import { WorkerCredentials } from '../../src/auth/worker-credentials.js';
import { SeriesStore } from '../../src/data/series-store.js';
import { ModelStore } from '../../src/models/model-store.js';
import type { OperationRecord } from '../../src/operations/operation-record.js';
import { OperationStore } from '../../src/operations/operation-store.js';
import { openDatabase } from '../../src/storage/database.js';
import { ensureDataDir } from '../../src/storage/data-dir.js';
import type { SqliteDriverChoice } from '../../src/storage/sqlite.js';
import { StrategyStore } from '../../src/strategies/strategy-store.js';

export const quietLog = { warn: () => undefined };

/** An operation record, the `i`-th of a family of them. */
export function operationRecord(
  i: number,
  overrides: Partial<OperationRecord> = {},
): OperationRecord {
  const types = ['backtesting', 'training', 'data_load', 'sweep'] as const;
  const statuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
  const created = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return {
    operation_id: `op_${i}`,
    operation_type: types[i % types.length] as OperationRecord['operation_type'],
    status: statuses[i % statuses.length] as OperationRecord['status'],
    attempt: 1 + (i % 2),
    worker_id: i % 3 === 0 ? null : `worker-${i % 3}`,
    parent_operation_id: null,
    retry_of: null,
    created_at: created,
    started_at: i % 5 === 0 ? null : created,
    completed_at: null,
    progress: { ...initialProgress(), percentage: i, context: { bar: `2020-01-0${1 + (i % 9)}` } },
    metadata: { symbol: 'SP500', timeframe: '1d', index: i, nested: { ok: true, list: [1, 2] } },
    error_message: i % 5 === 3 ? `failed ${i}` : null,
    result_summary: null,
    routing_reason: i % 2 ? 'least busy' : null,
    attempts: [
      {
        attempt: 1,
        worker_id: 'worker-1',
        started_at: created,
        ended_at: null,
        outcome: 'running',
      },
    ],
    provenance: {
      strategy_hash: `hash${i}`,
      data_etag: 'etag',
      code_version: '0.1.0',
    },
    job: i % 2 ? { strategy_name: 'sma_crossover', big: 1e300, tiny: 5e-324 } : null,
    checkpoint_ref: null,
    ...overrides,
  };
}

/** `n` daily bars from 2020-01-01 with values that exercise every float bit. */
export function sampleBars(n: number, symbol = 'TEST'): Bars {
  const bars = allocateBars(symbol, '1d', n);
  for (let i = 0; i < n; i++) {
    bars.time[i] = Date.UTC(2020, 0, 1) + i * 86_400_000;
    bars.open[i] = 100 + Math.sin(i) * 10;
    bars.high[i] = 110 + Math.cos(i) / 3;
    bars.low[i] = 90 - i / 7;
    bars.close[i] = 100 + i * 0.1 + Number.EPSILON * i;
    bars.volume[i] = i * 1234.5;
  }
  return bars;
}

export function barsDigest(bars: Bars): string {
  const hash = createHash('sha256');
  for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
    hash.update(new Uint8Array(bars[c].buffer, bars[c].byteOffset, bars[c].byteLength));
  return hash.digest('hex');
}

export function modelDocument(id: string): ModelDocumentWire {
  return {
    format: 'ktrdr-tfjs-layers-v1',
    model_id: id,
    modelTopology: { class_name: 'Sequential' },
    weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }],
    weightData: Buffer.from(new Float32Array([1.5, -2]).buffer).toString('base64'),
    feature_spec: { columns: ['rsi'] },
    feature_spec_hash: 'fs1',
    metadata: {
      strategy_name: 'sma_crossover',
      strategy_hash: 'h1',
      symbol: 'SP500',
      timeframe: '1d',
      start: '2020-01-01',
      end: '2020-12-31',
      seed: 7,
      training_backend: 'cpu',
      metrics: { test_accuracy: 0.5 },
      training: { epochs: 2 },
      history: [{ epoch: 1, loss: 0.7 }],
    },
  };
}

export const STRATEGY_V1 = `name: sma_crossover
description: v1
type: rules
indicators:
  fast: { type: sma, period: 20 }
  slow: { type: sma, period: 50 }
entry:
  long: { crosses_above: [fast, slow] }
exit:
  long: { crosses_below: [fast, slow] }
position:
  sizing: fraction_of_equity
  value: 1.0
`;
export const STRATEGY_V2 = STRATEGY_V1.replace('period: 20', 'period: 10').replace('v1', 'v2');

/** Writes the data set into the data dir `dir`; returns a live worker credential. */
export function writeDataset(
  dir: string,
  driver: SqliteDriverChoice = 'auto',
): { credential: string; driver: string } {
  const layout = ensureDataDir(dir);
  const db = openDatabase(layout.database, { driver });
  try {
    const operations = new OperationStore(db);
    for (let i = 0; i < 12; i++)
      operations.insert(operationRecord(i, i >= 8 ? { parent_operation_id: 'op_3' } : {}));
    operations.update(
      operationRecord(1, {
        status: 'completed',
        completed_at: '2026-01-02T00:00:00.000Z',
        result_summary: { total_return: 0.125, trades: 3 },
      }),
    );
    operations.updateProgress('op_2', { ...initialProgress('training'), percentage: 42 });
    operations.appendMetrics('op_1', [
      { epoch: 1, loss: 0.5, accuracy: null },
      { epoch: 2, loss: 0.25, accuracy: 0.75 },
    ]);
    operations.appendMetrics('op_1', [{ epoch: 3, loss: 0.125, accuracy: 0.8 }]);

    const series = new SeriesStore(db, { chunkBars: 64 });
    series.put(sampleBars(200), 'replace');
    series.put(sampleBars(20, 'other'), 'merge');

    new ModelStore(layout.models, db).put(
      'model-1',
      modelDocument('model-1'),
      'op_1',
      new Date(Date.UTC(2026, 0, 3)),
    );

    writeFileSync(join(layout.strategies, 'sma_crossover.yaml'), STRATEGY_V1);
    const strategies = new StrategyStore(layout.strategies, db, quietLog);
    strategies.get('sma_crossover');
    strategies.put('sma_crossover', STRATEGY_V2);

    const credentials = new WorkerCredentials(db);
    const credential = credentials.issue('backtesting-a');
    credentials.issue('training-b');
    credentials.revoke('training-b');
    return { credential, driver: db.driver };
  } finally {
    db.close();
  }
}

/** Everything the stores read back from the data dir `dir`, as JSON-able values. */
export function readDataset(
  dir: string,
  credential: string,
  driver: SqliteDriverChoice = 'auto',
): { driver: string; snapshot: Record<string, unknown> } {
  const layout = ensureDataDir(dir);
  const db = openDatabase(layout.database, { driver });
  try {
    const operations = new OperationStore(db);
    const series = new SeriesStore(db);
    const models = new ModelStore(layout.models, db);
    const strategies = new StrategyStore(layout.strategies, db, quietLog);
    const credentials = new WorkerCredentials(db);
    const ids = (q: Parameters<OperationStore['list']>[0]) => {
      const page = operations.list(q);
      return { ids: page.records.map((r) => r.operation_id), total: page.total };
    };
    const stored = series.range('TEST', '1d') as Bars;
    const current = strategies.get('sma_crossover');
    const versions = db
      .prepare('SELECT name, version, hash, yaml FROM strategy_versions ORDER BY name, version')
      .all() as { name: string; version: number; hash: string; yaml: string }[];
    return {
      driver: db.driver,
      snapshot: {
        user_version: db.pragma('user_version', { simple: true }),
        journal_mode: db.pragma('journal_mode', { simple: true }),
        all: operations.list({}),
        one: operations.get('op_1'),
        running: ids({ status: 'running' }),
        backtests_page: ids({ operation_type: 'backtesting', limit: 2, offset: 1 }),
        children: ids({ parent_operation_id: 'op_3' }),
        top_level: ids({ top_level: true, limit: 3 }),
        active: ids({ active_only: true }),
        by_parent: operations.byParent('op_3').map((r) => r.operation_id),
        by_status: operations.byStatus('pending').map((r) => r.operation_id),
        counts: operations.countByStatus(),
        metrics: operations.metricsSince('op_1', 1),
        series: series.list(),
        bars: { n: stored.time.length, digest: barsDigest(stored) },
        bars_expected: barsDigest(sampleBars(200)),
        models: models.list(),
        model: models.get('model-1'),
        strategy: current && { version: current.version, hash: current.hash },
        versions: versions.map((v) => ({ ...v, yaml_digest: v.yaml.length })),
        first_version: strategies.version('sma_crossover', versions[0]?.hash ?? '')?.yaml,
        credential: credentials.verify(credential) ?? null,
        credential_rows: db.prepare('SELECT worker_id FROM worker_credentials').all(),
      },
    };
  } finally {
    db.close();
  }
}
