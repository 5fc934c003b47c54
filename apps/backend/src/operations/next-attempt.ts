import { initialProgress, type JobKindRegistry, type UntypedRetryPlan } from '@ktrdr/shared';
import { ConflictError } from '@ktrdr/server-kit';
import type { OperationRecord } from './operation-record.js';

/**
 * What the next attempt of an operation runs: the rules for going back in line under the
 * same id, and for the new operation a retry makes. Pure changes to records; storing and
 * announcing them is the operations service's.
 */

/** Where a checkpoint stands, in words: `checkpoint.bin@5120` → "bar 5120", `…@epoch3` → "epoch 3". */
export function checkpointPosition(ref: string): string {
  const position = ref.slice(ref.lastIndexOf('@') + 1);
  if (/^\d+$/.test(position)) return `bar ${position}`;
  const epoch = /^epoch(\d+)$/.exec(position)?.[1];
  return epoch ? `epoch ${epoch}` : 'its checkpoint';
}

/**
 * The job an attempt sends: the stored one, continuing from `checkpointRef` when there is
 * one, else from the start.
 */
function jobForAttempt<J extends Record<string, unknown> | null>(
  job: J,
  checkpointRef: string | null,
): J {
  if (job === null) return job;
  const next: Record<string, unknown> = { ...job };
  if (checkpointRef) next.checkpoint_ref = checkpointRef;
  else delete next.checkpoint_ref;
  return next as J;
}

/**
 * Why an operation goes back in line (see {@link putBackInLine}):
 * - `requeue`: an ended child runs again (resuming a sweep); a no-op unless it failed or was cancelled;
 * - `resume`: a failed or cancelled operation continues from its checkpoint (409 without one);
 * - `failover`: its worker was lost; the attempt ends `lost: <lost>`;
 * - `reopen`: an ended operation the backend runs itself (a sweep) is running again.
 */
export type BackInLine =
  { why: 'requeue' } | { why: 'resume' } | { why: 'failover'; lost: string } | { why: 'reopen' };

/**
 * The one way an operation goes back in line under its id with the next attempt (requeue,
 * resume, failover, reopen; a retry copies its job the same way into a new operation).
 * A worker-run operation becomes `pending`, from its checkpoint when it saved one (progress
 * kept) or else from the start (progress reset — jobs are deterministic, so the result is
 * the same); a backend-run one (`reopen`) is `running` again. Changes `record` in place;
 * false (and `record` untouched) when `reason` does not apply to it.
 */
export function putBackInLine(
  record: OperationRecord,
  reason: BackInLine,
  now: () => Date,
): boolean {
  const id = record.operation_id;
  const ended = record.status === 'failed' || record.status === 'cancelled';
  const position = record.checkpoint_ref ? checkpointPosition(record.checkpoint_ref) : undefined;
  let step: string;
  switch (reason.why) {
    case 'requeue':
      if (!ended) return false;
      step = position ? `resuming from ${position}` : 'queued again';
      break;
    case 'resume':
      if (!ended) {
        throw new ConflictError(
          `operation ${id} is ${record.status}; only a failed or cancelled operation can be resumed`,
          { status: record.status },
        );
      }
      if (!position) {
        throw new ConflictError(
          `operation ${id} saved no checkpoint to resume from; retry it to start again from scratch`,
          { status: record.status },
        );
      }
      step = `resuming from ${position}`;
      break;
    case 'failover': {
      if (record.status !== 'running' && record.status !== 'pending') return false;
      const at = now().toISOString();
      record.attempts = record.attempts.map((a) =>
        a.attempt === record.attempt && a.ended_at === null
          ? { ...a, ended_at: at, outcome: `lost: ${reason.lost}` }
          : a,
      );
      step = position
        ? `worker lost; resuming from ${position} (attempt ${record.attempt + 1})`
        : `worker lost before its first checkpoint; starting again (attempt ${record.attempt + 1})`;
      break;
    }
    case 'reopen':
      step = '';
      break;
  }
  record.attempt += 1;
  record.completed_at = null;
  record.error_message = null;
  if (reason.why === 'reopen') {
    // the backend runs it: no worker, no queue, no job to re-send
    record.status = 'running';
  } else {
    record.status = 'pending';
    record.worker_id = null;
    record.routing_reason = null;
    record.job = jobForAttempt(record.job, record.checkpoint_ref);
    record.progress = position
      ? { ...record.progress, eta_seconds: null, current_step: step }
      : { ...initialProgress(), current_step: step };
  }
  return true;
}

/**
 * What a retry's new operation `operationId` runs: `old`'s job from scratch, with what the
 * kind says a retry must not reuse (a model id) made anew.
 */
export function retryJob(
  old: OperationRecord,
  operationId: string,
  kinds: JobKindRegistry,
): Pick<OperationRecord, 'metadata' | 'provenance' | 'job'> {
  const job = jobForAttempt(old.job, null);
  const plan: UntypedRetryPlan | undefined = job
    ? kinds.retry(old.operation_type, { job, metadata: old.metadata }, operationId)
    : undefined;
  return {
    metadata: plan?.metadata ?? old.metadata,
    provenance: { ...old.provenance, ...plan?.provenance },
    job: plan?.job ?? job,
  };
}
