import { StartResponseSchema, type AnyJobKind } from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { requireWorkersOfType } from '../dispatch/worker-availability.js';

/** The start route of a kind that has one (a clear error at build time otherwise). */
export function startRouteOf(kind: AnyJobKind): string {
  if (kind.startRoute === null)
    throw new Error(`job kind ${kind.operationType} has no start route`);
  return kind.startRoute;
}

/**
 * The start route of every worker-run kind that builds its own job (`prepare` on its
 * descriptor): the request is validated against its schema, the operation queued and
 * dispatched like any other. Kinds with a service of their own (backtests, training) have
 * their own route files, which also take their path and schema from the descriptor.
 */
export function jobKindRoutes(app: TypedServer, ctx: BackendContext): void {
  for (const kind of ctx.operations.kinds.all()) {
    const prepare = kind.prepare?.bind(kind);
    if (!prepare || kind.runsOn === 'backend') continue;
    const workerType = ctx.operations.kinds.onWorkers(kind.operationType).runsOn;
    app.post(
      startRouteOf(kind),
      {
        schema: {
          tags: ['operations'],
          summary: `Start a ${kind.label} on a ${workerType} worker (queued when every worker is busy)`,
          body: kind.schemas.request,
          response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
        },
      },
      async (request, reply) => {
        requireWorkersOfType(ctx.registry, workerType, ctx.url());
        const { job, metadata } = prepare(request.body);
        const record = ctx.operations.create({
          type: kind.operationType,
          job: job as Record<string, unknown>,
          metadata: metadata as Record<string, unknown>,
          provenance: { strategy_hash: null, data_etag: null, code_version: ctx.version },
        });
        await ctx.dispatcher.submit(record);
        return reply.code(202).send({
          success: true as const,
          operation_id: record.operation_id,
          status: record.status,
        });
      },
    );
  }
}
