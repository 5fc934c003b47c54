/**
 * The `better-sqlite3` driver: the native addon, for Node 20 (which has no `node:sqlite`).
 * Required lazily on first use, never a static import, so a runtime on `node:sqlite` never
 * loads the addon (the desktop bundle does not even ship it). Its addon is built for one
 * Node ABI: on another (Node 24 with the addon npm built for Node 20) it does not load,
 * and {@link load} says so.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { SqlParameters } from './sql-parameters.js';
import type { DriverConnection, DriverStatement, RawRow, SqliteDriver } from './sqlite-driver.js';

type Constructor = typeof BetterSqlite3;

class BetterStatement implements DriverStatement {
  readonly reader: boolean;

  constructor(private readonly statement: BetterSqlite3.Statement<unknown[], RawRow>) {
    this.reader = statement.reader;
  }

  private args(named: Record<string, unknown> | undefined, positional: unknown[]): unknown[] {
    return named ? [named, ...positional] : positional;
  }

  run(named: Record<string, unknown> | undefined, positional: unknown[]) {
    return this.statement.run(...this.args(named, positional));
  }

  get(named: Record<string, unknown> | undefined, positional: unknown[]) {
    return this.statement.get(...this.args(named, positional));
  }

  all(named: Record<string, unknown> | undefined, positional: unknown[]) {
    return this.statement.all(...this.args(named, positional));
  }
}

class BetterConnection implements DriverConnection {
  readonly sqliteVersion: string;

  constructor(private readonly db: BetterSqlite3.Database) {
    // integers as bigints, made numbers (or a RangeError) by the seam: better-sqlite3
    // alone would round an integer beyond 2^53 silently
    db.defaultSafeIntegers(true);
    this.sqliteVersion = sqliteVersionOf(db);
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  prepare(sql: string, _parameters: SqlParameters): DriverStatement {
    return new BetterStatement(this.db.prepare<unknown[], RawRow>(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(source: string): RawRow[] {
    return this.db.pragma(source) as RawRow[];
  }

  close(): void {
    this.db.close();
  }
}

function sqliteVersionOf(db: BetterSqlite3.Database): string {
  return String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
}

let result: SqliteDriver | { unavailable: string } | undefined;

/** The driver, or why it cannot load here (tried once: the addon loads at the first open). */
export function load(): SqliteDriver | { unavailable: string } {
  if (result) return result;
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as Constructor;
    // the addon itself loads at the first open: try it here, so a wrong ABI is found now
    new Database(':memory:').close();
    result = { name: 'better-sqlite3', open: (path) => new BetterConnection(new Database(path)) };
  } catch (error) {
    const message = (error as Error).message;
    const abi = /NODE_MODULE_VERSION/.test(message)
      ? `its native addon was built for another Node (${/NODE_MODULE_VERSION \d+/.exec(message)?.[0] ?? 'another ABI'}); this is Node ${process.version} (NODE_MODULE_VERSION ${process.versions.modules}). Rebuild it for this Node with \`npm rebuild better-sqlite3\``
      : `it does not load: ${message.split('\n')[0] ?? message}`;
    result = { unavailable: abi };
  }
  return result;
}
