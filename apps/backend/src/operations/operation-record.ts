import {
  hasKind,
  type BuiltInJobKind,
  type JobOf,
  type MetadataOf,
  type Operation,
  type OperationAttempt,
  type OperationStatus,
  type OperationType,
  type Progress,
  type Provenance,
  type ResultSummaryOf,
} from '@ktrdr/shared';

/** The built-in kinds by operation type. */
type BuiltIn = { [D in BuiltInJobKind as D['operationType']]: D };
/** A JSON object whose fields the code does not know (an extra kind, or any kind). */
type Untyped = Record<string, unknown>;
/** `job`, `metadata` and `result_summary` of kind `K`, from its descriptor's schemas. */
type Typed<K extends string, Field extends 'job' | 'metadata' | 'summary'> = [K] extends [
  keyof BuiltIn,
]
  ? Field extends 'job'
    ? JobOf<BuiltIn[K]>
    : Field extends 'metadata'
      ? MetadataOf<BuiltIn[K]>
      : ResultSummaryOf<BuiltIn[K]>
  : Untyped;

/**
 * An operation as the backend keeps it: the wire object plus what only the backend needs.
 * `OperationRecord<'training'>` has its `job`, `metadata` and `result_summary` typed from
 * the training descriptor's schemas; a plain `OperationRecord` is one of any kind (narrow
 * it with {@link isOfKind}).
 */
export interface OperationRecord<K extends string = string> {
  operation_id: string;
  operation_type: K;
  status: OperationStatus;
  attempt: number;
  worker_id: string | null;
  parent_operation_id: string | null;
  retry_of: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: Progress;
  metadata: Typed<K, 'metadata'>;
  error_message: string | null;
  result_summary: Typed<K, 'summary'> | null;
  routing_reason: string | null;
  attempts: OperationAttempt[];
  provenance: Provenance;
  /** The job body sent to a worker (without `task_id`/`attempt`), kept for re-dispatch. */
  job: Typed<K, 'job'> | null;
  checkpoint_ref: string | null;
}

/**
 * Narrows a record to one kind. The operations service creates records only through
 * their kind's schemas, so the type of the record decides the shape of its fields.
 */
export function isOfKind<K extends OperationType>(
  record: OperationRecord,
  type: K,
): record is OperationRecord<K> {
  return hasKind(record, type);
}

/** The wire form of a record. */
export function toWireOperation(record: OperationRecord, queuePosition: number | null): Operation {
  return {
    operation_id: record.operation_id,
    // an extra kind's type (a plugin's, a test's) is not in the built-in enum: the wire
    // carries it as the string it is
    operation_type: record.operation_type as OperationType,
    status: record.status,
    attempt: record.attempt,
    worker_id: record.worker_id,
    parent_operation_id: record.parent_operation_id,
    retry_of: record.retry_of,
    created_at: record.created_at,
    started_at: record.started_at,
    completed_at: record.completed_at,
    progress: record.progress,
    metadata: record.metadata,
    error_message: record.error_message,
    result_summary: record.result_summary,
    queue_position: queuePosition,
    routing_reason: record.routing_reason,
    attempts: record.attempts,
    provenance: record.provenance,
    checkpoint_ref: record.checkpoint_ref,
  };
}
