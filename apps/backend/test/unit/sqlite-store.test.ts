// The storage seam and the real stores, once per SQLite driver this runtime can load: on
// Node 20 better-sqlite3 (node:sqlite does not exist there), on Node 24 node:sqlite (the
// better-sqlite3 addon that npm built for Node 20 does not load there). Real files in temp
// dirs. The cross-driver test (one data dir, both drivers) is sqlite-cross-driver.test.ts.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '@ktrdr/testkit';
import { WorkerCredentials } from '../../src/auth/worker-credentials.js';
import { ConfigError, loadBackendConfig } from '../../src/config.js';
import { SeriesStore } from '../../src/data/series-store.js';
import { ModelStore } from '../../src/models/model-store.js';
import { OperationStore } from '../../src/operations/operation-store.js';
import { MIGRATIONS, openDatabase, type Db } from '../../src/storage/database.js';
import { isSqliteExperimentalWarning } from '../../src/storage/sqlite-node.js';
import {
  openSqlite,
  resolveSqliteDriver,
  sqliteDriverUnavailable,
  sqlParameters,
  SqliteDriverError,
  type SqliteDriverName,
} from '../../src/storage/sqlite.js';
import { StrategyStore } from '../../src/strategies/strategy-store.js';
import {
  barsDigest,
  modelDocument,
  operationRecord,
  quietLog,
  readDataset,
  sampleBars,
  STRATEGY_V1,
  STRATEGY_V2,
  writeDataset,
} from './sqlite-fixtures.js';

const DRIVERS: SqliteDriverName[] = ['node-sqlite', 'better-sqlite3'];
/** node:sqlite's statements have columns() (Node ≥ 22.16); asked after the seam loaded it (no warning). */
const nodeSqliteHasColumns = () =>
  typeof (
    (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(
      'node:sqlite',
    ) as { StatementSync?: { prototype: { columns?: unknown } } } | undefined
  )?.StatementSync?.prototype.columns === 'function';

describe('the SQLite seam, driver-independent parts', () => {
  it('reads the parameters of a statement, skipping literals and comments', () => {
    const p = sqlParameters(
      "SELECT ':no', \"@no\", [$no] FROM t -- :no\n WHERE a = @a AND b = :b AND c = $c AND d = ? /* @no */ AND e = @a AND f = 'it''s :no' AND g = ?",
    );
    assert.deepEqual(p.tokens, ['@a', ':b', '$c']);
    assert.deepEqual(p.names, ['a', 'b', 'c']);
    assert.equal(p.anonymous, 2);
    assert.equal(p.multiple, false);
    assert.equal(sqlParameters('SELECT 1; ').multiple, false);
    assert.equal(sqlParameters('SELECT 1; SELECT 2').multiple, true);
    assert.equal(sqlParameters("SELECT ';' ; -- trailing\n").multiple, false);
    assert.equal(sqlParameters('SELECT ?1, ?2').numbered, true);
    assert.deepEqual(sqlParameters('SELECT a$b FROM t WHERE x = $x').names, ['x']);
  });

  it('validates KTRDR_SQLITE_DRIVER once in the config, naming the variable', () => {
    assert.equal(loadBackendConfig({}).sqliteDriver, 'auto');
    assert.equal(
      loadBackendConfig({ KTRDR_SQLITE_DRIVER: 'node-sqlite' }).sqliteDriver,
      'node-sqlite',
    );
    assert.equal(
      loadBackendConfig({ KTRDR_SQLITE_DRIVER: ' Better-SQLite3 ' }).sqliteDriver,
      'better-sqlite3',
    );
    assert.throws(
      () => loadBackendConfig({ KTRDR_SQLITE_DRIVER: 'sqlite' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /^KTRDR_SQLITE_DRIVER must be auto, node-sqlite, better-sqlite3, got "sqlite"$/.test(
          error.message,
        ),
    );
  });

  it('auto picks node:sqlite where it loads, else better-sqlite3', () => {
    const expected = sqliteDriverUnavailable('node-sqlite') ? 'better-sqlite3' : 'node-sqlite';
    assert.equal(resolveSqliteDriver('auto').name, expected);
  });

  it('a driver that cannot load here stops with one line naming the variable', (t) => {
    const missing = DRIVERS.find((d) => sqliteDriverUnavailable(d));
    if (!missing) {
      t.skip(`both drivers load on Node ${process.version}`);
      return;
    }
    const dir = tempDir();
    try {
      assert.throws(
        () => openDatabase(join(dir.path, 'x.db'), { driver: missing }),
        (error: Error) =>
          error instanceof SqliteDriverError &&
          error.message.startsWith(`KTRDR_SQLITE_DRIVER=${missing} cannot be used on Node `) &&
          /set it to auto or /.test(error.message) &&
          !error.message.includes('\n'),
      );
    } finally {
      dir.remove();
    }
  });

  it('hides only the SQLite ExperimentalWarning', () => {
    const text = 'SQLite is an experimental feature and might change at any time';
    assert.equal(isSqliteExperimentalWarning(text, 'ExperimentalWarning'), true);
    assert.equal(isSqliteExperimentalWarning(text, { type: 'ExperimentalWarning' }), true);
    const warning = new Error(text);
    warning.name = 'ExperimentalWarning';
    assert.equal(isSqliteExperimentalWarning(warning, undefined), true);
    assert.equal(isSqliteExperimentalWarning(text, 'DeprecationWarning'), false);
    assert.equal(
      isSqliteExperimentalWarning('WASI is an experimental feature', 'ExperimentalWarning'),
      false,
    );
  });
});

for (const driver of DRIVERS) {
  const unavailable = sqliteDriverUnavailable(driver);
  const skip = unavailable ? `${driver} is not available here: ${unavailable}` : false;

  describe(`SQLite storage on ${driver}`, { skip }, () => {
    let dir: ReturnType<typeof tempDir>;
    const open = (name = 'ktrdr.db') => openDatabase(join(dir.path, name), { driver });
    before(() => {
      dir = tempDir('ktrdr-sqlite-');
    });
    after(() => dir.remove());

    it('migrates an empty database to the latest schema, in WAL mode with the pragmas', () => {
      const db = open('empty.db');
      try {
        assert.equal(db.driver, driver);
        assert.match(db.sqliteVersion, /^3\.\d+\.\d+$/);
        assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(db.pragma('synchronous', { simple: true }), 1); // NORMAL
        assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
        assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
        const tables = (
          db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
            name: string;
          }[]
        ).map((r) => r.name);
        for (const table of [
          'models',
          'operations',
          'series',
          'series_chunks',
          'strategy_versions',
        ])
          assert.ok(tables.includes(table), table);
        db.prepare('INSERT INTO strategy_versions VALUES (?, ?, ?, ?, ?)').run(
          's',
          1,
          'h',
          'y',
          't',
        );
        assert.ok(existsSync(join(dir.path, 'empty.db-wal')), 'a WAL file beside the database');
      } finally {
        db.close();
      }
      // opening again migrates nothing and keeps the row
      const again = open('empty.db');
      try {
        assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
        assert.deepEqual(again.prepare('SELECT name, version FROM strategy_versions').all(), [
          { name: 's', version: 1 },
        ]);
      } finally {
        again.close();
      }
    });

    it('migrates a database left at an older user_version, keeping its rows', () => {
      const path = join(dir.path, 'old.db');
      const old = openSqlite(path, driver);
      old.exec(MIGRATIONS[0] as string);
      old.pragma('user_version = 1');
      new OperationStore(old).insert(operationRecord(0));
      old.close();
      const db = openDatabase(path, { driver });
      try {
        assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
        assert.equal(new OperationStore(db).get('op_0')?.operation_id, 'op_0');
        assert.ok(
          db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?")
            .get('operations_by_type_status'),
          'migration 4 ran',
        );
        assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'models'").get());
      } finally {
        db.close();
      }
    });

    it('moves stored result files into a rowid table (migration 7), keeping every byte', () => {
      const path = join(dir.path, 'blobs.db');
      const old = openSqlite(path, driver);
      for (const migration of MIGRATIONS.slice(0, 7)) old.exec(migration);
      old.pragma('user_version = 7');
      const bytes = Buffer.alloc(22_768, 7);
      old
        .prepare('INSERT INTO artifact_blobs (operation_id, name, bytes) VALUES (?, ?, ?)')
        .run('op_a', 'result-full.bin', bytes);
      old.close();
      const db = openDatabase(path, { driver });
      try {
        const table = db
          .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'artifact_blobs'")
          .get() as { sql: string };
        assert.doesNotMatch(table.sql, /WITHOUT ROWID/);
        const row = db
          .prepare('SELECT bytes FROM artifact_blobs WHERE operation_id = ? AND name = ?')
          .get('op_a', 'result-full.bin') as { bytes: Buffer };
        assert.ok(Buffer.from(row.bytes).equals(bytes));
        // the key stays unique: a second write of the same name replaces the first
        db.prepare(
          'INSERT OR REPLACE INTO artifact_blobs (operation_id, name, bytes) VALUES (?, ?, ?)',
        ).run('op_a', 'result-full.bin', Buffer.from([1]));
        const count = db.prepare('SELECT COUNT(*) AS n FROM artifact_blobs').get() as { n: number };
        assert.equal(count.n, 1);
      } finally {
        db.close();
      }
    });

    it('binds and returns values the same way as the other driver', () => {
      const db = openSqlite(join(dir.path, 'values.db'), driver);
      try {
        db.exec('CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)');
        const insert = db.prepare('INSERT INTO t (i, r, s, b, n) VALUES (@i, @r, :s, $b, ?)');
        // keys the statement does not use are ignored; undefined binds NULL
        const info = insert.run(
          { i: 7, r: 1.5, s: 'x', b: Buffer.from([1, 2, 255]), extra: 1 },
          undefined,
        );
        assert.deepEqual(info, { changes: 1, lastInsertRowid: 1 });
        assert.equal(typeof info.lastInsertRowid, 'number');
        insert.run({ i: 2n ** 40n, r: -0.25, s: '', b: new Uint8Array([9]) }, 'n');
        assert.throws(
          () => insert.run({ i: 1, r: 1, s: 'x' }, null),
          /Missing named parameter "b"/,
        );
        assert.throws(() => insert.run({ i: true, r: 1, s: 'x', b: null }, null), TypeError);
        assert.throws(() => insert.run({ i: new Date(), r: 1, s: 'x', b: null }, null), TypeError);
        assert.throws(
          () => insert.run({ i: 1, r: 1, s: 'x', b: null }),
          /Too few parameter values/,
        );
        assert.throws(() => insert.run({ i: 1, r: 1, s: 'x', b: null }, 1, 2), /Too many/);
        const rows = db.prepare('SELECT * FROM t ORDER BY rowid').all() as Record<
          string,
          unknown
        >[];
        assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype, 'plain objects');
        assert.deepEqual(rows, [
          { i: 7, r: 1.5, s: 'x', b: Buffer.from([1, 2, 255]), n: null },
          { i: 2 ** 40, r: -0.25, s: '', b: Buffer.from([9]), n: 'n' },
        ]);
        assert.ok(Buffer.isBuffer(rows[0]?.b), 'BLOBs come back as Buffers');
        // positional, arrays spread, and the named bag anywhere among them
        assert.deepEqual(db.prepare('SELECT ? AS a, ? AS b, @c AS c').get([1, 2], { c: 3 }), {
          a: 1,
          b: 2,
          c: 3,
        });
        assert.equal(db.prepare('SELECT 1 WHERE 0').get(), undefined);
        assert.deepEqual(db.prepare('SELECT 1 AS x WHERE 0').all(), []);
        assert.deepEqual(db.prepare('SELECT count(*) AS n, sum(i) AS s FROM t').get(), {
          n: 2,
          s: 2 ** 40 + 7,
        });
        // an integer a number cannot hold exactly throws instead of coming back rounded
        db.prepare('INSERT INTO t (i) VALUES (?)').run(2n ** 60n);
        assert.throws(
          () => db.prepare('SELECT i FROM t WHERE i > ?').get(2 ** 50),
          (error: Error) =>
            error instanceof RangeError &&
            /column i holds the integer 1152921504606846976/.test(error.message),
        );
        assert.throws(() => db.prepare('SELECT 1; SELECT 2'), /more than one statement/);
        const writer = db.prepare('DELETE FROM t WHERE i = ?');
        assert.equal(writer.run(2n ** 60n).changes, 1);
        // node:sqlite before 22.16 cannot tell a statement returns no rows (no columns())
        if (driver === 'better-sqlite3' || nodeSqliteHasColumns())
          assert.throws(() => writer.all(1), /does not return data/);
      } finally {
        db.close();
        db.close(); // twice is fine
      }
    });

    it('commits a transaction, rolls it back on a throw, and nests as savepoints', () => {
      const db = openSqlite(join(dir.path, 'tx.db'), driver);
      try {
        db.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
        const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
        const values = () =>
          (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((r) => r.v);
        assert.equal(db.inTransaction, false);
        const add = db.transaction((...vs: number[]) => {
          assert.equal(db.inTransaction, true);
          for (const v of vs) insert.run(v);
          return vs.length;
        });
        assert.equal(add(1, 2), 2);
        assert.deepEqual(values(), [1, 2]);
        assert.throws(() => add(3, 1), /UNIQUE|constraint/i); // 3 went in, then 1 failed
        assert.deepEqual(values(), [1, 2], 'all or nothing');
        assert.equal(db.inTransaction, false);
        assert.throws(
          db.transaction(() => {
            insert.run(4);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(values(), [1, 2]);
        // an inner failure caught by the outer undoes only the inner part
        db.transaction(() => {
          insert.run(5);
          assert.throws(
            db.transaction(() => {
              insert.run(6);
              throw new Error('inner');
            }),
            /inner/,
          );
          assert.equal(db.inTransaction, true);
          add(7);
        })();
        assert.deepEqual(values(), [1, 2, 5, 7]);
        // an outer failure undoes a committed inner part too
        assert.throws(
          db.transaction(() => {
            add(8);
            throw new Error('outer');
          }),
          /outer/,
        );
        assert.deepEqual(values(), [1, 2, 5, 7]);
        assert.throws(
          db.transaction(async () => insert.run(9)),
          /cannot return a promise/,
        );
        assert.deepEqual(values(), [1, 2, 5, 7]);
        assert.equal(db.inTransaction, false);
      } finally {
        db.close();
      }
    });

    it('keeps operations: round trip, list filters, pages, counts and metrics', () => {
      const db = open('operations.db');
      try {
        const store = new OperationStore(db);
        for (let i = 0; i < 12; i++)
          store.insert(operationRecord(i, i >= 8 ? { parent_operation_id: 'op_3' } : {}));
        const one = operationRecord(5, {
          status: 'completed',
          result_summary: { total_return: 0.1 },
          checkpoint_ref: 'ckpt-1',
        });
        store.update(one);
        // a stored record also carries its list position (`seq`)
        assert.deepEqual(store.get('op_5'), { ...one, seq: 6 });
        assert.deepEqual(store.get('op_1'), { ...operationRecord(1), seq: 2 });
        assert.equal(store.get('nope'), undefined);
        store.updateProgress('op_2', { ...operationRecord(2).progress, percentage: 55 });
        assert.equal(store.get('op_2')?.progress.percentage, 55);

        const ids = (q: Parameters<OperationStore['list']>[0]) => {
          const page = store.list(q);
          return [page.records.map((r) => r.operation_id), page.total];
        };
        assert.deepEqual(ids({ limit: 3 }), [['op_11', 'op_10', 'op_9'], 12]);
        assert.deepEqual(ids({ limit: 3, offset: 10 }), [['op_1', 'op_0'], 12]);
        assert.deepEqual(ids({ status: 'running' }), [['op_11', 'op_6', 'op_1'], 3]);
        assert.deepEqual(ids({ operation_type: 'training', status: 'running' }), [['op_1'], 1]);
        assert.deepEqual(ids({ parent_operation_id: 'op_3' }), [
          ['op_11', 'op_10', 'op_9', 'op_8'],
          4,
        ]);
        assert.deepEqual(ids({ top_level: true, limit: 2 }), [['op_7', 'op_6'], 8]);
        assert.deepEqual(ids({ active_only: true, top_level: true }), [
          ['op_6', 'op_1', 'op_0'],
          3,
        ]);
        assert.deepEqual(
          store.byStatus('pending').map((r) => r.operation_id),
          ['op_0', 'op_10'],
        );
        assert.deepEqual(
          store.byParent('op_3').map((r) => r.operation_id),
          ['op_8', 'op_9', 'op_10', 'op_11'],
        );
        assert.deepEqual(store.countByStatus(), {
          cancelled: 2,
          completed: 3,
          failed: 2,
          pending: 2,
          running: 3,
        });

        assert.deepEqual(store.appendMetrics('op_1', [{ loss: 0.5 }, { loss: 0.25 }]), [
          { loss: 0.5, seq: 0 },
          { loss: 0.25, seq: 1 },
        ]);
        assert.deepEqual(store.appendMetrics('op_1', [{ loss: 0.125, accuracy: null }]), [
          { loss: 0.125, accuracy: null, seq: 2 },
        ]);
        assert.deepEqual(store.metricsSince('op_1', 1), [
          { loss: 0.25, seq: 1 },
          { loss: 0.125, accuracy: null, seq: 2 },
        ]);
        assert.deepEqual(store.metricsSince('op_2', 0), []);
        assert.throws(() => store.insert(operationRecord(1)), /UNIQUE|constraint/i);
      } finally {
        db.close();
      }
    });

    it('keeps market data: chunk BLOBs round-trip bit for bit, across a reopen', () => {
      const bars = sampleBars(300);
      let db: Db = open('series.db');
      try {
        const store = new SeriesStore(db, { chunkBars: 64 });
        const summary = store.put(bars, 'replace');
        assert.equal(summary.bar_count, 300);
        assert.equal(
          (db.prepare('SELECT count(*) AS n FROM series_chunks').get() as { n: number }).n,
          5,
        );
        const blob = (
          db.prepare('SELECT data FROM series_chunks LIMIT 1').get() as { data: unknown }
        ).data;
        assert.ok(Buffer.isBuffer(blob));
        // looked up (and cached) before the merge, read afresh after it
        const everything = [-8.64e15, 8.64e15] as const;
        assert.equal(store.bounds('test', '1d')?.count, 300);
        assert.equal(store.countInRange('TEST', '1d', ...everything), 300);
        // merge: a later bar at a stored time replaces it, new ones are added
        const more = sampleBars(310);
        more.close[299] = 1.25;
        store.put(more, 'merge');
        assert.equal(store.bounds('test', '1d')?.count, 310);
        assert.equal(store.countInRange('TEST', '1d', ...everything), 310);
      } finally {
        db.close();
      }
      db = open('series.db');
      try {
        const store = new SeriesStore(db); // nothing cached: every chunk decoded from its BLOB
        const read = store.range('TEST', '1d');
        assert.ok(read);
        const expected = sampleBars(310);
        expected.close[299] = 1.25;
        assert.equal(barsDigest(read), barsDigest(expected));
        const at = (i: number) => expected.time[i] as number;
        assert.equal(store.range('TEST', '1d', at(100), at(109))?.time.length, 10);
        assert.equal(store.countInRange('TEST', '1d', at(0), at(9)), 10);
        assert.deepEqual(
          store.list().map((s) => [s.symbol, s.timeframe, s.bar_count]),
          [['TEST', '1d', 310]],
        );
      } finally {
        db.close();
      }
    });

    it('keeps models: put, get, list, and a second upload of the same id', () => {
      const db = open('models.db');
      try {
        const store = new ModelStore(join(dir.path, `models-${driver}`), db);
        const created = store.put(
          'm-1',
          modelDocument('m-1'),
          'op_1',
          new Date(Date.UTC(2026, 0, 3)),
        );
        assert.equal(created.created, true);
        assert.ok(created.size_bytes > 0);
        assert.deepEqual(store.put('m-1', modelDocument('m-1'), 'op_1'), {
          ...created,
          created: false,
        });
        assert.throws(
          () => store.put('m-1', { ...modelDocument('m-1'), feature_spec_hash: 'x' }, 'op_2'),
          /never overwritten/,
        );
        assert.equal(store.featureSpecHash('m-1'), 'fs1');
        const detail = store.get('m-1');
        assert.equal(detail.created_at, '2026-01-03T00:00:00.000Z');
        assert.equal(detail.size_bytes, created.size_bytes);
        assert.deepEqual(detail.history, [{ epoch: 1, loss: 0.7 }]);
        assert.deepEqual(
          store.list().map((m) => m.model_id),
          ['m-1'],
        );
        assert.ok(existsSync(store.path('m-1')));
        assert.throws(() => store.get('m-2'), /m-2/);
      } finally {
        db.close();
      }
    });

    it('keeps every version of a strategy', () => {
      const db = open('strategies.db');
      const folder = tempDir();
      try {
        writeFileSync(join(folder.path, 'sma_crossover.yaml'), STRATEGY_V1);
        const store = new StrategyStore(folder.path, db, quietLog);
        const v1 = store.get('sma_crossover');
        assert.equal(v1?.version, 1);
        const { strategy: v2, created } = store.put('sma_crossover', STRATEGY_V2);
        assert.equal(created, false);
        assert.equal(v2.version, 2);
        assert.notEqual(v2.hash, v1?.hash);
        assert.equal(store.version('sma_crossover', v1?.hash)?.yaml, STRATEGY_V1);
        assert.equal(store.version('sma_crossover', v1?.hash)?.version, 1);
        // writing v1 back makes a third version with v1's hash; the newest wins
        assert.equal(store.put('sma_crossover', STRATEGY_V1).strategy.version, 3);
        assert.equal(store.version('sma_crossover', v1?.hash)?.version, 3);
      } finally {
        db.close();
        folder.remove();
      }
    });

    it('keeps worker credentials hashed, across a reopen', () => {
      let db = open('credentials.db');
      let credential: string;
      try {
        const credentials = new WorkerCredentials(db);
        const first = credentials.issue('w1');
        credential = credentials.issue('w1'); // replaces the first
        const other = credentials.issue('w2');
        assert.equal(credentials.verify(first), undefined);
        assert.equal(credentials.verify(credential), 'w1');
        credentials.revoke('w2');
        assert.equal(credentials.verify(other), undefined);
        const rows = db
          .prepare('SELECT credential_hash, worker_id FROM worker_credentials')
          .all() as {
          credential_hash: string;
        }[];
        assert.equal(rows.length, 1);
        assert.ok(!rows[0]?.credential_hash.includes(credential.slice(3)), 'stored hashed');
      } finally {
        db.close();
      }
      db = open('credentials.db');
      try {
        const credentials = new WorkerCredentials(db);
        assert.equal(credentials.verify(credential), 'w1');
        assert.equal(credentials.revokeAll(), 1);
        assert.equal(credentials.verify(credential), undefined);
      } finally {
        db.close();
      }
    });

    it('writes and reads the whole data set of the cross-driver test', () => {
      const data = join(dir.path, 'dataset');
      const { credential } = writeDataset(data, driver);
      const { snapshot } = readDataset(data, credential, driver);
      assert.equal(snapshot.credential, 'backtesting-a');
      assert.deepEqual(snapshot.bars, { n: 200, digest: snapshot.bars_expected });
      assert.equal(snapshot.user_version, MIGRATIONS.length);
      assert.equal(snapshot.journal_mode, 'wal');
    });
  });
}
