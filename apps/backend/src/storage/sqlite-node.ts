/**
 * The `node-sqlite` driver: Node's built-in `node:sqlite` (`DatabaseSync`, Node ≥ 22.13,
 * Node 24, Electron's Node). Loaded with `process.getBuiltinModule` on first use, never a
 * static import: Node 20 has no `node:sqlite`, and its @types/node has no types for it, so
 * the little this driver uses is declared below.
 */
import type { SqlParameters } from './sql-parameters.js';
import type { DriverConnection, DriverStatement, RawRow, SqliteDriver } from './sqlite-driver.js';

type Value = null | number | bigint | string | Uint8Array;

/** The part of `node:sqlite`'s StatementSync used here (setters newer than 22.13 optional). */
interface StatementSync {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): RawRow | undefined;
  all(...params: unknown[]): RawRow[];
  setReadBigInts(enabled: boolean): void;
  setAllowBareNamedParameters(enabled: boolean): void;
  /** Node ≥ 22.16 / 24. */
  columns?(): unknown[];
}

/** The part of `node:sqlite`'s DatabaseSync used here. */
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
  /** Node ≥ 22.16 / 24. */
  readonly isTransaction?: boolean;
}

interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
    options?: { open?: boolean; enableForeignKeyConstraints?: boolean },
  ) => DatabaseSync;
}

/** True for the one warning {@link load} hides. */
export function isSqliteExperimentalWarning(warning: unknown, type: unknown): boolean {
  const name =
    typeof type === 'string'
      ? type
      : typeof type === 'object' && type !== null
        ? (type as { type?: unknown }).type
        : warning instanceof Error
          ? warning.name
          : undefined;
  const message = warning instanceof Error ? warning.message : String(warning);
  return name === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(message);
}

/**
 * `node:sqlite`, or why it is not there. On Node 22 (Electron's) and 23, loading it prints
 * "ExperimentalWarning: SQLite is an experimental feature…" to stderr, on every start of
 * the backend and of every CLI or test process that opens a database: noise a user can do
 * nothing about, since the backend picks the driver itself and both drivers behave the
 * same behind this seam. So only that one warning, and only while the module loads, is
 * dropped; every other warning still goes through `process.emitWarning`. (Node 24 loads it
 * without a warning.)
 */
function loadModule(): NodeSqliteModule | string {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltin !== 'function')
    return 'this Node has no process.getBuiltinModule, and no node:sqlite (it needs Node 22.13 or later)';
  // the very function, put back as it was afterwards (whoever else may have wrapped it)
  const emitWarning = Reflect.get(process, 'emitWarning') as (...args: unknown[]) => void;
  process.emitWarning = function (warning: unknown, ...rest: unknown[]): void {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    emitWarning.call(process, warning, ...rest);
  };
  try {
    const module = getBuiltin.call(process, 'node:sqlite') as NodeSqliteModule | undefined;
    if (typeof module?.DatabaseSync !== 'function')
      return 'this Node has no node:sqlite (it needs Node 22.13 or later)';
    return module;
  } catch (error) {
    return `node:sqlite does not load: ${(error as Error).message}`;
  } finally {
    Reflect.set(process, 'emitWarning', emitWarning);
  }
}

class NodeStatement implements DriverStatement {
  private readonly statement: StatementSync;
  readonly reader: boolean | undefined;

  constructor(
    db: DatabaseSync,
    sql: string,
    private readonly parameters: SqlParameters,
  ) {
    this.statement = db.prepare(sql);
    // integers as bigints, made numbers (or a RangeError) by the seam: the same as
    // better-sqlite3 in safe-integer mode, where node:sqlite alone would throw its own error
    this.statement.setReadBigInts(true);
    // named values are bound by the token as written (`@seq`), so `@x` and `:x` may coexist
    this.statement.setAllowBareNamedParameters(false);
    this.reader =
      typeof this.statement.columns === 'function'
        ? this.statement.columns().length > 0
        : undefined;
  }

  private args(named: Record<string, unknown> | undefined, positional: unknown[]): unknown[] {
    if (!named) return positional;
    const bag: Record<string, Value> = {};
    const { tokens, names } = this.parameters;
    for (let i = 0; i < tokens.length; i++)
      bag[tokens[i] as string] = named[names[i] as string] as Value;
    return [bag, ...positional];
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

class NodeConnection implements DriverConnection {
  readonly sqliteVersion: string;

  constructor(private readonly db: DatabaseSync) {
    this.sqliteVersion = String(db.prepare('SELECT sqlite_version() AS v').get()?.v);
  }

  get inTransaction(): boolean | undefined {
    return this.db.isTransaction;
  }

  prepare(sql: string, parameters: SqlParameters): DriverStatement {
    return new NodeStatement(this.db, sql, parameters);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(source: string): RawRow[] {
    const statement = this.db.prepare(`PRAGMA ${source}`);
    statement.setReadBigInts(true);
    return statement.all();
  }

  close(): void {
    this.db.close();
  }
}

let result: SqliteDriver | { unavailable: string } | undefined;

/** The driver, or why it cannot load here (loaded once). */
export function load(): SqliteDriver | { unavailable: string } {
  if (result) return result;
  const module = loadModule();
  result =
    typeof module === 'string'
      ? { unavailable: module }
      : {
          name: 'node-sqlite',
          open: (path) => new NodeConnection(new module.DatabaseSync(path)),
        };
  return result;
}
