// What a SQLite driver module provides to the seam (sqlite.ts): the raw, unnormalised calls.
// The drivers import only this, so neither depends on the seam that loads them.
import type { SqlParameters } from './sql-parameters.js';

/** A driver's name. */
export type SqliteDriverName = 'node-sqlite' | 'better-sqlite3';

/** A raw row as a driver returns it (possibly with a null prototype, Uint8Array BLOBs, bigints). */
export type RawRow = Record<string, unknown>;

export interface DriverStatement {
  /** False when the statement returns no columns; undefined when the driver cannot tell. */
  readonly reader: boolean | undefined;
  /** `named` is keyed by bare name and holds exactly the statement's named parameters. */
  run(
    named: Record<string, unknown> | undefined,
    positional: unknown[],
  ): {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  };
  get(named: Record<string, unknown> | undefined, positional: unknown[]): RawRow | undefined;
  all(named: Record<string, unknown> | undefined, positional: unknown[]): RawRow[];
}

export interface DriverConnection {
  readonly sqliteVersion: string;
  /** True inside a transaction; undefined when the driver cannot tell. */
  readonly inTransaction: boolean | undefined;
  prepare(sql: string, parameters: SqlParameters): DriverStatement;
  exec(sql: string): void;
  /** `PRAGMA <source>`'s rows (none for a pragma that sets). */
  pragma(source: string): RawRow[];
  close(): void;
}

export interface SqliteDriver {
  readonly name: SqliteDriverName;
  open(path: string): DriverConnection;
}

/** A driver module: its `load()` loads the library (once) or says why it cannot here. */
export interface DriverModule {
  load(): SqliteDriver | { unavailable: string };
}
