import { ForbiddenError } from '@ktrdr/server-kit';
import type { FastifyRequest } from 'fastify';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';

/**
 * What a worker's own credential reaches: its own roster entry, the operations it holds,
 * and the data and models those operations need. Admin requests pass every check; the
 * route's `access` list has already refused every other role.
 */
export class WorkerScope {
  constructor(private readonly operations: OperationsService) {}

  private workerOf(request: FastifyRequest): string | undefined {
    const principal = request.principal;
    return principal?.role === 'worker' ? principal.workerId : undefined;
  }

  /** 403 unless the request comes from an admin or from worker `workerId` itself. */
  self(request: FastifyRequest, workerId: string, what = 'act'): void {
    const own = this.workerOf(request);
    if (own !== undefined && own !== workerId)
      throw new ForbiddenError(
        `this credential belongs to worker ${own}; it cannot ${what} for worker ${workerId}`,
      );
  }

  /** 403 unless the request comes from an admin or from the worker that holds `record`. */
  holds(request: FastifyRequest, record: OperationRecord): void {
    const own = this.workerOf(request);
    if (own !== undefined && record.worker_id !== own)
      throw new ForbiddenError(
        `operation ${record.operation_id} is not held by worker ${own}; a worker reaches only the operations it runs`,
      );
  }

  /** 403 unless an admin, or a worker running an operation whose job needs what `needs` accepts. */
  needs(
    request: FastifyRequest,
    what: string,
    needs: (job: Record<string, unknown>, record: OperationRecord) => boolean,
  ): void {
    const own = this.workerOf(request);
    if (own === undefined) return;
    const held = this.operations.activeHeldBy(own);
    if (!held.some((record) => needs(record.job ?? {}, record)))
      throw new ForbiddenError(
        `worker ${own} runs no operation that needs ${what}; a worker reaches only the data and models of its own jobs`,
      );
  }
}

/** The series a job reads (`job.data`), for {@link WorkerScope.needs}. */
export function jobReadsSeries(symbol: string, timeframe: string) {
  return (job: Record<string, unknown>): boolean => {
    const data = job.data as { symbol?: unknown; timeframe?: unknown } | undefined;
    return (
      typeof data?.symbol === 'string' &&
      data.symbol.toUpperCase() === symbol.toUpperCase() &&
      data.timeframe === timeframe
    );
  };
}
