import type {
  Operation,
  OperationAttempt,
  OperationStatus,
  OperationType,
  Progress,
  Provenance,
} from '@ktrdr/shared';

/** An operation as the backend keeps it: the wire object plus what only the backend needs. */
export interface OperationRecord {
  operation_id: string;
  operation_type: OperationType;
  status: OperationStatus;
  attempt: number;
  worker_id: string | null;
  parent_operation_id: string | null;
  retry_of: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  progress: Progress;
  metadata: Record<string, unknown>;
  error_message: string | null;
  result_summary: Record<string, unknown> | null;
  routing_reason: string | null;
  attempts: OperationAttempt[];
  provenance: Provenance;
  /** The job body sent to a worker (without `task_id`/`attempt`), kept for re-dispatch. */
  job: Record<string, unknown> | null;
  checkpoint_ref: string | null;
}

/** The wire form of a record. */
export function toWireOperation(record: OperationRecord, queuePosition: number | null): Operation {
  return {
    operation_id: record.operation_id,
    operation_type: record.operation_type,
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
