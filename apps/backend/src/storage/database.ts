import { openSqlite, type SqliteDatabase, type SqliteDriverChoice } from './sqlite.js';

/** The SQLite handle type used across the backend (either driver: see sqlite.ts). */
export type Db = SqliteDatabase;

/**
 * The metric columns of a sweep set (every metric a backtest summary reports). A frozen
 * copy of the contract's list, not derived from it: migration 5 makes exactly these, and a
 * metric added later needs a migration of its own (a test compares the two lists).
 */
export const SWEEP_SET_METRIC_COLUMNS = [
  'total_return',
  'annualized_return',
  'volatility',
  'sharpe_ratio',
  'sortino_ratio',
  'calmar_ratio',
  'max_drawdown',
  'max_drawdown_duration_bars',
  'win_rate',
  'profit_factor',
  'expectancy',
  'exposure',
  'total_trades',
  'avg_win',
  'avg_loss',
  'avg_holding_bars',
  'final_equity',
  'bars',
] as const;

/** The schema, one migration per `user_version` step (exported for the store tests). */
export const MIGRATIONS: readonly string[] = [
  // 1: operations and their per-step metrics
  `CREATE TABLE operations (
     operation_id TEXT PRIMARY KEY,
     operation_type TEXT NOT NULL,
     status TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     worker_id TEXT,
     parent_operation_id TEXT,
     retry_of TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     completed_at TEXT,
     progress TEXT NOT NULL,
     metadata TEXT NOT NULL,
     error_message TEXT,
     result_summary TEXT,
     routing_reason TEXT,
     attempts TEXT NOT NULL,
     provenance TEXT NOT NULL,
     job TEXT,
     checkpoint_ref TEXT,
     seq INTEGER NOT NULL
   );
   CREATE INDEX operations_by_created ON operations (seq DESC);
   CREATE INDEX operations_by_status ON operations (status, seq DESC);
   CREATE INDEX operations_by_type ON operations (operation_type, seq DESC);
   CREATE INDEX operations_by_parent ON operations (parent_operation_id, seq DESC);
   CREATE TABLE operation_metrics (
     operation_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (operation_id, seq)
   ) WITHOUT ROWID;`,
  // 2: market data in compressed columnar chunks, and every version of every strategy
  `CREATE TABLE series (
     symbol TEXT NOT NULL,
     timeframe TEXT NOT NULL,
     first_time INTEGER NOT NULL,
     last_time INTEGER NOT NULL,
     bar_count INTEGER NOT NULL,
     etag TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (symbol, timeframe)
   ) WITHOUT ROWID;
   CREATE TABLE series_chunks (
     symbol TEXT NOT NULL,
     timeframe TEXT NOT NULL,
     chunk_start INTEGER NOT NULL,
     first_time INTEGER NOT NULL,
     last_time INTEGER NOT NULL,
     bar_count INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (symbol, timeframe, chunk_start)
   ) WITHOUT ROWID;
   CREATE TABLE strategy_versions (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     hash TEXT NOT NULL,
     yaml TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (name, version)
   ) WITHOUT ROWID;
   CREATE INDEX strategy_versions_by_hash ON strategy_versions (name, hash);`,
  // 3: trained models (the weights live in files beside the database)
  `CREATE TABLE models (
     model_id TEXT PRIMARY KEY,
     strategy_name TEXT NOT NULL,
     strategy_hash TEXT NOT NULL,
     feature_spec_hash TEXT NOT NULL,
     operation_id TEXT,
     created_at TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     summary TEXT NOT NULL,
     detail TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX models_by_strategy ON models (strategy_name, created_at DESC);`,
  // 4: the operations list filtered by type and status together (newest first, and its
  // count) from one index, instead of reading every row of the type to check its status
  `CREATE INDEX operations_by_type_status ON operations (operation_type, status, seq DESC);`,
  // 5: a sweep's parameter sets are rows, not operations (they run in sweep_shard
  // operations); one column per metric, so any metric sorts without decoding a row, and
  // `score` (the objective, larger is better) with `meets` orders the leaderboard (no index
  // on them: a running sweep keeps its top sets in memory, and each result's write stays cheap)
  `CREATE TABLE sweep_sets (
     sweep_id TEXT NOT NULL,
     set_index INTEGER NOT NULL,
     window INTEGER,
     parameters TEXT NOT NULL,
     status TEXT NOT NULL,
     shard_id TEXT,
     worker_id TEXT,
     operation_id TEXT,
     error TEXT,
     meets INTEGER NOT NULL DEFAULT 0,
     score REAL,
     ${SWEEP_SET_METRIC_COLUMNS.map((c) => `${c} REAL`).join(',\n     ')},
     PRIMARY KEY (sweep_id, set_index)
   ) WITHOUT ROWID;
   CREATE INDEX sweep_sets_by_shard ON sweep_sets (shard_id) WHERE shard_id IS NOT NULL;`,
  // 6: a short job's result files (at most a few hundred KiB, carried in its final report)
  // as rows: creating a folder and two files per operation cost more than the job itself
  `CREATE TABLE artifact_blobs (
     operation_id TEXT NOT NULL,
     name TEXT NOT NULL,
     bytes BLOB NOT NULL,
     PRIMARY KEY (operation_id, name)
   ) WITHOUT ROWID;`,
  // 7: the same rows in a rowid table, the key in an index of its own. In 6's table the
  // key's b-tree held the bytes too, and finding an insert's place compared keys by reading
  // whole rows, overflow pages included: about 100 page reads per stored result (22 KB)
  `CREATE TABLE artifact_blobs_by_rowid (
     operation_id TEXT NOT NULL,
     name TEXT NOT NULL,
     bytes BLOB NOT NULL,
     UNIQUE (operation_id, name)
   );
   INSERT INTO artifact_blobs_by_rowid (operation_id, name, bytes)
     SELECT operation_id, name, bytes FROM artifact_blobs;
   DROP TABLE artifact_blobs;
   ALTER TABLE artifact_blobs_by_rowid RENAME TO artifact_blobs;`,
  // 8: where a short job's result files are in the artifact packs (artifacts/pack-files.ts):
  // a row of a few dozen bytes instead of the bytes themselves (7's rows stay readable)
  `CREATE TABLE artifact_packed (
     operation_id TEXT NOT NULL,
     name TEXT NOT NULL,
     pack INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     length INTEGER NOT NULL,
     crc32 INTEGER NOT NULL,
     PRIMARY KEY (operation_id, name)
   ) WITHOUT ROWID;`,
];

/**
 * Opens (or creates) the database in WAL mode, so readers never block the writer and a
 * crash keeps every committed row, and brings its schema up to date. `driver` picks the
 * SQLite driver (`KTRDR_SQLITE_DRIVER`; `auto`: node:sqlite where the runtime has it, else
 * better-sqlite3); a driver that cannot load throws a one-line error naming the variable.
 */
export function openDatabase(path: string, options: { driver?: SqliteDriverChoice } = {}): Db {
  const db = openSqlite(path, options.driver ?? 'auto');
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v] as string);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
