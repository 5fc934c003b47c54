/**
 * The backend's one SQLite seam. The stores talk to {@link SqliteDatabase}; two drivers sit
 * behind it:
 * - `node-sqlite`: Node's built-in `node:sqlite` (`DatabaseSync`), where the runtime has it
 *   (Node ≥ 22.13, Node 24, Electron's Node). No native addon, so it runs in the desktop
 *   app's utility process on Electron's own Node.
 * - `better-sqlite3`: the native addon, on Node 20 (which has no `node:sqlite`).
 *
 * Both are loaded lazily (never a static import), so a runtime that uses one never loads
 * the other. Everything the stores see is the same whichever driver runs:
 * - parameters: `?` positional and `@name`/`:name`/`$name` named (one plain object, keys
 *   without the prefix; keys the statement does not use are ignored; a missing one throws);
 *   the count of positional values must match; `undefined` binds NULL; values other than
 *   numbers, strings, bigints, Buffers/Uint8Arrays and null (booleans, Dates, objects) throw;
 * - one statement per `prepare` (node:sqlite would silently drop the rest);
 * - rows are plain objects; BLOBs come back as `Buffer`; integers as numbers, and an integer
 *   beyond ±2^53 throws a RangeError instead of silently losing precision;
 * - `run()` answers `{ changes, lastInsertRowid }` as numbers (a rowid beyond 2^53: bigint);
 * - `transaction(fn)` returns a function that runs `fn` in BEGIN…COMMIT, rolls back when
 *   it throws, and nests as SAVEPOINTs (as better-sqlite3's does);
 * - `close()` may be called twice.
 */
import { sqlParameters, type SqlParameters } from './sql-parameters.js';
import * as betterSqlite from './sqlite-better.js';
import type {
  DriverConnection,
  DriverModule,
  DriverStatement,
  RawRow,
  SqliteDriver,
  SqliteDriverName,
} from './sqlite-driver.js';
import * as nodeSqlite from './sqlite-node.js';

export { sqlParameters, type SqlParameters } from './sql-parameters.js';
export type { SqliteDriverName } from './sqlite-driver.js';

/** What the configuration may ask for (`KTRDR_SQLITE_DRIVER`). */
export type SqliteDriverChoice = 'auto' | SqliteDriverName;
export const SQLITE_DRIVER_CHOICES: readonly SqliteDriverChoice[] = [
  'auto',
  'node-sqlite',
  'better-sqlite3',
];

/** What `run()` answers. */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement. `P` types the parameters, `R` a row. */
export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): SqliteRunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** An open database, whichever driver is underneath. */
export interface SqliteDatabase {
  /** The driver in use. */
  readonly driver: SqliteDriverName;
  /** The SQLite library version that driver links (`3.51.2`). */
  readonly sqliteVersion: string;
  readonly path: string;
  /** True inside a transaction. */
  readonly inTransaction: boolean;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  /** Runs one or more statements, no parameters, no rows. */
  exec(sql: string): void;
  /** A function that runs `fn` in a transaction (a SAVEPOINT when already in one). */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  /** `PRAGMA <source>`: its rows, or with `simple` the first column of the first row. */
  pragma(source: string, options: { simple: true }): unknown;
  pragma(source: string, options?: { simple?: false }): Record<string, unknown>[];
  close(): void;
}

/** A driver that cannot load here, or the configuration asks for one that cannot. */
export class SqliteDriverError extends Error {
  override readonly name = 'SqliteDriverError';
}

// ---------------------------------------------------------------------------------------
// Values in and out, the same for both drivers.

const BIND_TYPES = 'SQLite3 can only bind numbers, strings, bigints, buffers, and null';

function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'bigint' ||
    value instanceof Uint8Array
  )
    return value;
  throw new TypeError(BIND_TYPES);
}

function isNamedBag(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Splits call arguments into the named bag and the positional values (arrays spread). */
function bindArguments(
  parameters: SqlParameters,
  args: readonly unknown[],
): { named: Record<string, unknown> | undefined; positional: unknown[] } {
  let bag: Record<string, unknown> | undefined;
  const positional: unknown[] = [];
  const add = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value as unknown[]) add(v);
    else if (isNamedBag(value)) {
      if (bag) throw new TypeError('You cannot specify named parameters in two different objects');
      bag = value;
    } else positional.push(bindable(value));
  };
  for (const arg of args) add(arg);
  let named: Record<string, unknown> | undefined;
  if (parameters.names.length > 0) {
    if (!bag) throw new RangeError('Missing named parameters');
    named = {};
    for (const name of parameters.names) {
      if (!Object.prototype.hasOwnProperty.call(bag, name))
        throw new RangeError(`Missing named parameter "${name}"`);
      named[name] = bindable(bag[name]);
    }
  }
  if (!parameters.numbered) {
    if (positional.length < parameters.anonymous)
      throw new RangeError('Too few parameter values were provided');
    if (positional.length > parameters.anonymous)
      throw new RangeError('Too many parameter values were provided');
  }
  return { named, positional };
}

function toNumber(value: bigint, column: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError(
      `column ${column} holds the integer ${value}, beyond what a JavaScript number holds exactly (±2^53)`,
    );
  return Number(value);
}

/** A plain-object row: bigints as numbers (exact, or a RangeError), BLOBs as Buffers. */
function plainRow(raw: RawRow): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key in raw) {
    const value = raw[key];
    if (typeof value === 'bigint') row[key] = toNumber(value, key);
    else if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    else row[key] = value;
  }
  return row;
}

function runResult(raw: {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}): SqliteRunResult {
  const rowid = raw.lastInsertRowid;
  return {
    changes: Number(raw.changes),
    lastInsertRowid:
      typeof rowid === 'bigint' &&
      rowid <= BigInt(Number.MAX_SAFE_INTEGER) &&
      rowid >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(rowid)
        : rowid,
  };
}

const NO_DATA = 'This statement does not return data. Use run() instead';

class Statement implements SqliteStatement {
  constructor(
    private readonly raw: DriverStatement,
    private readonly parameters: SqlParameters,
  ) {}

  run(...args: unknown[]): SqliteRunResult {
    const { named, positional } = bindArguments(this.parameters, args);
    return runResult(this.raw.run(named, positional));
  }

  get(...args: unknown[]): unknown {
    if (this.raw.reader === false) throw new TypeError(NO_DATA);
    const { named, positional } = bindArguments(this.parameters, args);
    const row = this.raw.get(named, positional);
    return row === undefined ? undefined : plainRow(row);
  }

  all(...args: unknown[]): unknown[] {
    if (this.raw.reader === false) throw new TypeError(NO_DATA);
    const { named, positional } = bindArguments(this.parameters, args);
    return this.raw.all(named, positional).map(plainRow);
  }
}

const SAVEPOINT = '"ktrdr.tx"';

/** Distinct SQL texts kept compiled; past it the cache starts over (SQL built per call stays bounded). */
const STATEMENT_CACHE_SIZE = 512;

class Database implements SqliteDatabase {
  private closed = false;
  /** Our own nesting depth, for drivers that cannot say whether a transaction is open. */
  private depth = 0;
  private readonly control = new Map<string, DriverStatement>();
  /** Compiled statements by SQL text (see {@link prepare}). */
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly driver: SqliteDriverName,
    readonly path: string,
    private readonly connection: DriverConnection,
  ) {}

  get sqliteVersion(): string {
    return this.connection.sqliteVersion;
  }

  get inTransaction(): boolean {
    return this.connection.inTransaction ?? this.depth > 0;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    // the stores prepare their SQL where they use it: compiling it once per text is what
    // keeps that cheap (a statement runs to completion in one call, so sharing it is safe)
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.compile(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement as unknown as SqliteStatement<P, R>;
  }

  private compile(sql: string): Statement {
    const parameters = sqlParameters(sql);
    // node:sqlite compiles the first statement and silently ignores the rest; a trigger's
    // body is one statement with semicolons inside
    if (parameters.multiple && !/\btrigger\b/i.test(sql))
      throw new RangeError('The supplied SQL string contains more than one statement');
    return new Statement(this.connection.prepare(sql, parameters), parameters);
  }

  exec(sql: string): void {
    this.connection.exec(sql);
  }

  pragma(source: string, options?: { simple?: boolean }): never {
    const rows = this.connection.pragma(source).map(plainRow);
    if (!options?.simple) return rows as never;
    const first = rows[0];
    return (first === undefined ? undefined : Object.values(first)[0]) as never;
  }

  private run(sql: string): void {
    let statement = this.control.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql, sqlParameters(sql));
      this.control.set(sql, statement);
    }
    statement.run(undefined, []);
  }

  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function');
    return (...args: A): T => {
      const nested = this.inTransaction;
      this.run(nested ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN');
      this.depth++;
      try {
        const result = fn(...args);
        if (result !== null && typeof (result as { then?: unknown })?.then === 'function')
          throw new TypeError('Transaction function cannot return a promise');
        this.run(nested ? `RELEASE ${SAVEPOINT}` : 'COMMIT');
        return result;
      } catch (error) {
        // SQLite may already have rolled the whole transaction back (SQLITE_FULL, …)
        const open = this.connection.inTransaction;
        if (open !== false) {
          try {
            if (nested) {
              this.run(`ROLLBACK TO ${SAVEPOINT}`);
              this.run(`RELEASE ${SAVEPOINT}`);
            } else this.run('ROLLBACK');
          } catch (rollbackError) {
            // a driver that cannot tell (open === undefined) may find nothing to roll back
            if (open === true) throw rollbackError;
          }
        }
        throw error;
      } finally {
        this.depth--;
      }
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.control.clear();
    this.statements.clear();
    this.connection.close();
  }
}

// ---------------------------------------------------------------------------------------
// Choosing a driver.

// these modules import no driver library themselves: each loads its own on first use
const MODULES: Record<SqliteDriverName, DriverModule> = {
  'node-sqlite': nodeSqlite,
  'better-sqlite3': betterSqlite,
};

/** Why `name` cannot load in this runtime, or undefined when it can. */
export function sqliteDriverUnavailable(name: SqliteDriverName): string | undefined {
  const driver = MODULES[name].load();
  return 'unavailable' in driver ? driver.unavailable : undefined;
}

/** The driver `choice` means here; a {@link SqliteDriverError} naming `KTRDR_SQLITE_DRIVER` when none loads. */
export function resolveSqliteDriver(choice: SqliteDriverChoice = 'auto'): SqliteDriver {
  const names: SqliteDriverName[] =
    choice === 'auto' ? ['node-sqlite', 'better-sqlite3'] : [choice];
  const reasons: string[] = [];
  for (const name of names) {
    const driver = MODULES[name].load();
    if (!('unavailable' in driver)) return driver;
    reasons.push(`${name}: ${driver.unavailable}`);
  }
  const runtime = `Node ${process.version}`;
  if (choice === 'auto')
    throw new SqliteDriverError(
      `KTRDR_SQLITE_DRIVER=auto found no SQLite driver that loads on ${runtime} (${reasons.join('; ')})`,
    );
  const other = choice === 'node-sqlite' ? 'better-sqlite3' : 'node-sqlite';
  throw new SqliteDriverError(
    `KTRDR_SQLITE_DRIVER=${choice} cannot be used on ${runtime}: ${reasons[0]?.slice(choice.length + 2)}; set it to auto or ${other}`,
  );
}

/** Opens `path` with the driver `choice` means here (no pragmas, no schema: see openDatabase). */
export function openSqlite(path: string, choice: SqliteDriverChoice = 'auto'): SqliteDatabase {
  const driver = resolveSqliteDriver(choice);
  return new Database(driver.name, path, driver.open(path));
}
