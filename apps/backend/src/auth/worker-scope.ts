import type { CredentialScope } from '@ktrdr/shared';
import { ForbiddenError } from '@ktrdr/server-kit';
import type { FastifyRequest } from 'fastify';
import type { OperationRecord } from '../operations/operation-record.js';
import type { OperationsService } from '../operations/operations-service.js';

/**
 * What a worker's own credential reaches: its own roster entry, the operations it holds,
 * and the data and models those operations need — what each job's kind says it reads
 * (`reads` on its descriptor). Admin requests pass every check; the route's `access` list
 * has already refused every other role.
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

  /** What the job of `record` reads, as its kind says. */
  scopeOf(record: OperationRecord): CredentialScope {
    return this.operations.kinds.scope(record.operation_type, record.job);
  }

  /** 403 unless an admin, or a worker running an operation whose job's scope `allows`. */
  needs(request: FastifyRequest, what: string, allows: (scope: CredentialScope) => boolean): void {
    const own = this.workerOf(request);
    if (own === undefined) return;
    const held = this.operations.activeHeldBy(own);
    if (!held.some((record) => allows(this.scopeOf(record))))
      throw new ForbiddenError(
        `worker ${own} runs no operation that needs ${what}; a worker reaches only the data and models of its own jobs`,
      );
  }
}

/** A scope that reads the series `symbol`/`timeframe` (symbols compare case-blind). */
export function readsSeries(symbol: string, timeframe: string) {
  return (scope: CredentialScope): boolean =>
    scope.series.some(
      (s) => s.symbol.toUpperCase() === symbol.toUpperCase() && s.timeframe === timeframe,
    );
}

/** A scope that reads model `modelId`. */
export function readsModel(modelId: string) {
  return (scope: CredentialScope): boolean => scope.models.includes(modelId);
}

/** A scope that fetches version `hash` of strategy `name` (a version is always named). */
export function readsStrategy(name: string, hash: string | undefined) {
  return (scope: CredentialScope): boolean =>
    hash !== undefined && scope.strategies.some((s) => s.name === name && s.hash === hash);
}
