import { randomBytes } from 'node:crypto';
import {
  initialProgress,
  type OperationListQuery,
  type OperationStatus,
  type OperationType,
} from '@ktrdr/shared';
import { openDatabase, OperationStore, type OperationRecord } from '@ktrdr/backend';
import { seededRandom } from '@ktrdr/engine/data';
import { ProcessCluster } from './process-cluster.js';
import { rssMiB } from './proc-stats.js';
import { summarize, type Summary } from './stats.js';

/** One measured query of the operations list. */
export interface ListQueryResult {
  name: string;
  /** The query string after `GET /api/v1/operations?`. */
  query: string;
  totalCount: number;
  returned: number;
  latency: Summary;
  /** `EXPLAIN QUERY PLAN` of the page query and of its count, as SQLite prints them. */
  plan: string[];
  countPlan: string[];
}

/** What {@link operationsList} measured. */
export interface OperationsListLoad {
  operations: number;
  seedSeconds: number;
  databaseMiB: number;
  /** Backend process spawn → listening, on that data dir. */
  startSeconds: number;
  backendRssMiB: number;
  queries: ListQueryResult[];
}

const TYPES: readonly [OperationType, number][] = [
  ['backtesting', 0.7],
  ['training', 0.2],
  ['data_load', 0.05],
  ['sweep', 0.05],
];

function pick<T>(r: number, table: readonly [T, number][]): T {
  let acc = 0;
  for (const [value, weight] of table) {
    acc += weight;
    if (r < acc) return value;
  }
  return table[table.length - 1]![0];
}

/**
 * `count` operations over the last year, oldest first: 85 % completed, 8 % failed, 5 %
 * cancelled, and 2 % pending backtests (the active ones; nothing `running`, which a
 * restarted backend would fail after its claim window and so change the table mid-measure).
 */
function* seedRecords(count: number): Generator<OperationRecord> {
  const rand = seededRandom(42);
  const end = Date.now() - 60_000;
  const start = end - 365 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const at = new Date(start + ((end - start) * i) / count);
    const iso = at.toISOString();
    const r = rand();
    const status: OperationStatus =
      r < 0.02 ? 'pending' : r < 0.07 ? 'cancelled' : r < 0.15 ? 'failed' : 'completed';
    const type: OperationType = status === 'pending' ? 'backtesting' : pick(rand(), TYPES);
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
    const id = `op_${type}_${stamp}_${randomBytes(4).toString('hex')}`;
    const worker = status === 'pending' ? null : `${type}-host-${5003 + (i % 8)}`;
    const ended = new Date(at.getTime() + 5_000).toISOString();
    const startedAt = status === 'pending' ? null : new Date(at.getTime() + 5).toISOString();
    const metadata = {
      strategy_name: 'sma_crossover',
      symbol: 'SP500',
      timeframe: '1d',
      start_date: '2000-01-03',
      end_date: '2020-04-20',
    };
    yield {
      operation_id: id,
      operation_type: type,
      status,
      attempt: 1,
      worker_id: worker,
      parent_operation_id: null,
      retry_of: null,
      created_at: iso,
      started_at: startedAt,
      completed_at: status === 'pending' ? null : ended,
      progress:
        status === 'completed'
          ? {
              ...initialProgress('completed'),
              percentage: 100,
              steps_completed: 1,
              steps_total: 1,
              items_processed: 5105,
              items_total: 5105,
            }
          : initialProgress(),
      metadata,
      error_message:
        status === 'failed'
          ? `worker ${worker} died: connection refused (the process is gone)`
          : null,
      result_summary:
        status === 'completed'
          ? { total_return: 0.12, sharpe_ratio: 0.8, max_drawdown: 0.2, total_trades: 41 }
          : null,
      routing_reason: worker ? 'least recently used of 2 available backtesting workers' : null,
      attempts: worker
        ? [
            {
              attempt: 1,
              worker_id: worker,
              started_at: startedAt!,
              ended_at: ended,
              outcome: status,
            },
          ]
        : [],
      provenance: {
        strategy_hash: 'a3f1c2d4e5b6a7980a1b2c3d4e5f6a7b',
        data_etag: '"5105-1587340800000"',
        code_version: '0.1.0',
      },
      job: { ...metadata, initial_capital: 100_000, commission: 0.001, slippage: 0.0005 },
      checkpoint_ref: null,
    };
  }
}

/** The measured queries: the UI's first page, a deep page, filters, and active only. */
export const LIST_QUERIES: readonly { name: string; query: OperationListQuery }[] = [
  { name: 'first page', query: { limit: 50 } },
  { name: 'page at offset 50,000', query: { limit: 50, offset: 50_000 } },
  { name: 'status=failed', query: { limit: 50, status: 'failed' } },
  { name: 'operation_type=training', query: { limit: 50, operation_type: 'training' } },
  {
    name: 'status=completed & operation_type=training',
    query: { limit: 50, status: 'completed', operation_type: 'training' },
  },
  { name: 'active_only', query: { limit: 50, active_only: true } },
];

/**
 * The SQL the backend's own {@link OperationStore.list} runs for `query` (captured by
 * running it against a recording wrapper of the database), each with its
 * `EXPLAIN QUERY PLAN`.
 */
export function explainList(
  db: ReturnType<typeof openDatabase>,
  query: OperationListQuery,
): { sql: string; plan: string[] }[] {
  const seen: { sql: string; args: unknown[] }[] = [];
  const recording = new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') {
        return (sql: string) => {
          const statement = target.prepare(sql);
          const record = (args: unknown[]) => seen.push({ sql, args });
          return new Proxy(statement, {
            get(st, p) {
              const value = Reflect.get(st, p) as unknown;
              if ((p === 'all' || p === 'get') && typeof value === 'function')
                return (...args: unknown[]) => {
                  record(args);
                  return (value as (...a: unknown[]) => unknown).apply(st, args);
                };
              return typeof value === 'function' ? (value as () => unknown).bind(st) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  new OperationStore(recording).list(query);
  return seen
    .filter((s) => /^SELECT/i.test(s.sql) && /FROM operations/.test(s.sql))
    .map(({ sql, args }) => ({
      sql,
      plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map(
        (row) => row.detail,
      ),
    }));
}

function queryString(query: OperationListQuery): string {
  return Object.entries(query)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
}

/**
 * The operations list over `count` operations: seeded into a closed backend's database
 * through the backend's own {@link OperationStore} in one transaction, then a
 * `ktrdr-backend` process started on that data dir answers `GET /api/v1/operations`
 * (`samples` times each query, sequentially, after 10 warm-up requests).
 */
export async function operationsList(count = 100_000, samples = 200): Promise<OperationsListLoad> {
  const cluster = await new ProcessCluster().start();
  try {
    // a data dir the backend laid out itself (strategies, token, schema), then closed
    await cluster.stopBackend('SIGTERM');
    const path = `${cluster.dataDir}/ktrdr.db`;
    const s0 = performance.now();
    const db = openDatabase(path);
    const store = new OperationStore(db);
    db.transaction(() => {
      for (const record of seedRecords(count)) store.insert(record);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const seedSeconds = (performance.now() - s0) / 1000;
    const { size } = db
      .prepare('SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()')
      .get() as { size: number };
    const plans = LIST_QUERIES.map(({ query }) => explainList(db, query));
    db.close();

    const t0 = performance.now();
    await cluster.start();
    const startSeconds = (performance.now() - t0) / 1000;
    const queries: ListQueryResult[] = [];
    for (const [i, { name, query }] of LIST_QUERIES.entries()) {
      const latency: number[] = [];
      let total = 0;
      let returned = 0;
      for (let n = 0; n < samples + 10; n++) {
        const t = performance.now();
        const page = await cluster.client.listOperations(query);
        if (n >= 10) latency.push(performance.now() - t);
        total = page.total_count;
        returned = page.operations.length;
      }
      queries.push({
        name,
        query: queryString(query),
        totalCount: total,
        returned,
        latency: summarize(latency),
        plan: plans[i]![0]?.plan ?? [],
        countPlan: plans[i]![1]?.plan ?? [],
      });
    }
    return {
      operations: count,
      seedSeconds,
      databaseMiB: size / 1024 ** 2,
      startSeconds,
      backendRssMiB: rssMiB(cluster.backend.child.pid!).rss,
      queries,
    };
  } finally {
    await cluster.close();
  }
}
