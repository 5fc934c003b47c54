import type { MetricRow, OperationListQuery, OperationStatus } from '@ktrdr/shared';
import type { Db } from '../storage/database.js';
import type { OperationRecord } from './operation-record.js';

interface Row {
  operation_id: string;
  operation_type: string;
  status: string;
  attempt: number;
  worker_id: string | null;
  parent_operation_id: string | null;
  retry_of: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: string;
  metadata: string;
  error_message: string | null;
  result_summary: string | null;
  routing_reason: string | null;
  attempts: string;
  provenance: string;
  job: string | null;
  checkpoint_ref: string | null;
  /** Insertion order (the list's order). */
  seq: number;
}

/** A stored record; it keeps its row's `seq` (insertion order) as it always has. */
function fromRow(row: Row): OperationRecord & { seq: number } {
  return {
    seq: row.seq,
    operation_id: row.operation_id,
    operation_type: row.operation_type,
    // written only from OperationStatus values
    status: row.status as OperationStatus,
    attempt: row.attempt,
    worker_id: row.worker_id,
    parent_operation_id: row.parent_operation_id,
    retry_of: row.retry_of,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    error_message: row.error_message,
    routing_reason: row.routing_reason,
    checkpoint_ref: row.checkpoint_ref,
    progress: JSON.parse(row.progress) as OperationRecord['progress'],
    metadata: JSON.parse(row.metadata) as OperationRecord['metadata'],
    result_summary: row.result_summary
      ? (JSON.parse(row.result_summary) as OperationRecord['result_summary'])
      : null,
    attempts: JSON.parse(row.attempts) as OperationRecord['attempts'],
    provenance: JSON.parse(row.provenance) as OperationRecord['provenance'],
    job: row.job ? (JSON.parse(row.job) as OperationRecord['job']) : null,
  };
}

function toParams(record: OperationRecord) {
  return {
    ...record,
    progress: JSON.stringify(record.progress),
    metadata: JSON.stringify(record.metadata),
    result_summary: record.result_summary ? JSON.stringify(record.result_summary) : null,
    attempts: JSON.stringify(record.attempts),
    provenance: JSON.stringify(record.provenance),
    job: record.job ? JSON.stringify(record.job) : null,
  };
}

const COLUMNS = [
  'operation_id',
  'operation_type',
  'status',
  'attempt',
  'worker_id',
  'parent_operation_id',
  'retry_of',
  'created_at',
  'started_at',
  'completed_at',
  'progress',
  'metadata',
  'error_message',
  'result_summary',
  'routing_reason',
  'attempts',
  'provenance',
  'job',
  'checkpoint_ref',
] as const;

/**
 * SQL persistence of operations. Every write is one statement (or one transaction), so a
 * crash leaves each operation either before or after a change, never half-way.
 */
export class OperationStore {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly progressStmt;
  private readonly getStmt;
  private readonly nextSeqStmt;
  private readonly insertMetricStmt;
  private readonly metricsSinceStmt;
  private readonly maxMetricSeqStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO operations (${COLUMNS.join(', ')}, seq) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')}, @seq)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE operations SET ${COLUMNS.filter((c) => c !== 'operation_id')
        .map((c) => `${c} = @${c}`)
        .join(', ')} WHERE operation_id = @operation_id`,
    );
    this.progressStmt = db.prepare('UPDATE operations SET progress = ? WHERE operation_id = ?');
    this.getStmt = db.prepare('SELECT * FROM operations WHERE operation_id = ?');
    this.nextSeqStmt = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM operations');
    this.insertMetricStmt = db.prepare(
      'INSERT INTO operation_metrics (operation_id, seq, data) VALUES (?, ?, ?)',
    );
    this.metricsSinceStmt = db.prepare(
      'SELECT seq, data FROM operation_metrics WHERE operation_id = ? AND seq >= ? ORDER BY seq LIMIT 10000',
    );
    this.maxMetricSeqStmt = db.prepare(
      'SELECT COALESCE(MAX(seq), -1) AS seq FROM operation_metrics WHERE operation_id = ?',
    );
  }

  /** Stores a new operation. */
  /** Runs `fn` in one transaction (its writes commit together, or none on a throw). */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  insert(record: OperationRecord): void {
    const { seq } = this.nextSeqStmt.get() as { seq: number };
    this.insertStmt.run({ ...toParams(record), seq });
  }

  /** Stores every field of an existing operation. */
  update(record: OperationRecord): void {
    this.updateStmt.run(toParams(record));
  }

  /** Stores only the progress (the frequent write). */
  updateProgress(id: string, progress: OperationRecord['progress']): void {
    this.progressStmt.run(JSON.stringify(progress), id);
  }

  /** One operation, or undefined. */
  get(id: string): OperationRecord | undefined {
    const row = this.getStmt.get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Operations in a status, oldest first (restart reconciliation). */
  byStatus(status: OperationStatus): OperationRecord[] {
    return (
      this.db.prepare('SELECT * FROM operations WHERE status = ? ORDER BY seq').all(status) as Row[]
    ).map(fromRow);
  }

  /** The children of a parent (a sweep), oldest first, of one type if given (index operations_by_parent). */
  byParent(parentId: string, type?: string): OperationRecord[] {
    const rows =
      type === undefined
        ? this.db
            .prepare('SELECT * FROM operations WHERE parent_operation_id = ? ORDER BY seq')
            .all(parentId)
        : this.db
            .prepare(
              'SELECT * FROM operations WHERE parent_operation_id = ? AND operation_type = ? ORDER BY seq',
            )
            .all(parentId, type);
    return (rows as Row[]).map(fromRow);
  }

  /** A filtered page, newest first, with the total count of the filter. */
  list(query: OperationListQuery): { records: OperationRecord[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.active_only) where.push("status IN ('pending', 'running')");
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.operation_type) {
      where.push('operation_type = ?');
      params.push(query.operation_type);
    }
    if (query.parent_operation_id) {
      where.push('parent_operation_id = ?');
      params.push(query.parent_operation_id);
    }
    // index operations_by_parent serves IS NULL too
    if (query.top_level) where.push('parent_operation_id IS NULL');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const rows = this.db
      .prepare(`SELECT * FROM operations ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as Row[];
    const { n } = this.db
      .prepare(`SELECT COUNT(*) AS n FROM operations ${clause}`)
      .get(...params) as { n: number };
    return { records: rows.map(fromRow), total: n };
  }

  /** Counts per status, for `/metrics`. */
  countByStatus(): Record<string, number> {
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM operations GROUP BY status')
      .all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Appends metric rows and returns them with their sequence numbers. */
  appendMetrics(id: string, rows: Record<string, number | null>[]): MetricRow[] {
    return this.db.transaction(() => {
      let { seq } = this.maxMetricSeqStmt.get(id) as { seq: number };
      return rows.map((data) => {
        seq += 1;
        this.insertMetricStmt.run(id, seq, JSON.stringify(data));
        return { ...data, seq };
      });
    })();
  }

  /** Metric rows with `seq >= since`. */
  metricsSince(id: string, since: number): MetricRow[] {
    return (this.metricsSinceStmt.all(id, since) as { seq: number; data: string }[]).map((row) => ({
      ...(JSON.parse(row.data) as object),
      seq: row.seq,
    }));
  }
}
