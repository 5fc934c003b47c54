import type { NextJob } from '@ktrdr/shared';
import { AppError, bodyChecker } from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { WorkerJobDefinition } from './job-definition.js';
import type { JobRunner } from './job-runner.js';
import type { FinalReport } from './report-outbox.js';

/** What starting a handed-over job needs. */
export interface HandedJobDeps {
  definitions: readonly WorkerJobDefinition[];
  runner: Pick<JobRunner, 'start'>;
  /** Reports an outcome (here: a job this worker cannot run). */
  finalize: (report: FinalReport) => void;
  workerId: () => string;
  log: FastifyBaseLogger;
}

/**
 * Starts the jobs the backend hands over in the answer to a final report, checked as the
 * start route checks a body (same validator, defaults filled). A job this worker cannot
 * run ends `failed`, saying why, as a refused start request does; one that arrives while
 * the worker is shutting down is left to the backend, which reassigns it when the worker
 * leaves (or, silent, when its heartbeats say it runs nothing).
 */
export function handedJobStarter(deps: HandedJobDeps): (next: NextJob) => void {
  const checks = new Map(deps.definitions.map((d) => [d, bodyChecker(d.requestSchema)]));
  return ({ operation_type, job }) => {
    const taskId = typeof job.task_id === 'string' ? job.task_id : undefined;
    const attempt = typeof job.attempt === 'number' ? job.attempt : undefined;
    if (taskId === undefined || attempt === undefined) {
      deps.log.warn({ operation_type }, 'a handed-over job without task_id/attempt: ignored');
      return;
    }
    const refuse = (why: string) =>
      deps.finalize({
        operation_id: taskId,
        attempt,
        status: 'failed',
        error: `worker ${deps.workerId()} rejected the job: ${why}`,
      });
    const definition = deps.definitions.find((d) => d.operationType === operation_type);
    if (!definition) return refuse(`it runs no ${operation_type} jobs`);
    const invalid = checks.get(definition)?.(job);
    if (invalid) return refuse(invalid);
    try {
      deps.runner.start(definition, job as typeof job & { task_id: string; attempt: number });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'WORKER_BUSY')) throw error;
      deps.log.warn({ operation_id: taskId, err: error.message }, 'handed-over job not started');
    }
  };
}
