import { Readable } from 'node:stream';
import Type from 'typebox';
import {
  OperationIdSchema,
  Routes,
  StartResponseSchema,
  SweepHeatmapSchema,
  SweepSetsPageSchema,
  SweepSetsQuerySchema,
  sweepKind,
  type SweepSetsQuery,
} from '@ktrdr/shared';
import { errorResponses, rawReply, type TypedServer } from '@ktrdr/server-kit';
import type { FastifyReply } from 'fastify';
import type { BackendContext } from '../context.js';
import { startRouteOf } from './job-kinds.js';

/** Streams every set matching `query` as CSV. */
function sendCsv(
  reply: unknown,
  ctx: BackendContext,
  id: string,
  query: SweepSetsQuery,
): FastifyReply {
  // checked before the first byte goes out, so an unknown id is a 404, not a broken stream
  ctx.sweepSets.setsPage(id, { ...query, limit: 1 });
  return rawReply(reply)
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${id}-sets.csv"`)
    .send(Readable.from(ctx.sweepSets.setsCsv(id, query)));
}

/** `POST /api/v1/sweeps/start`, the sets of a sweep (JSON pages or CSV), and a set as a backtest. */
export function sweepRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    startRouteOf(sweepKind),
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'Start a parameter sweep: its parameter sets (grid or random) run in shards on every free backtest worker; every set is checked before any is stored',
        body: sweepKind.schemas.request,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.sweeps.start(request.body)),
  );

  app.get(
    Routes.backend.sweepSets,
    {
      schema: {
        tags: ['sweeps'],
        summary:
          "A sweep's parameter sets: sorted by any metric, filtered, paginated; with Accept: text/csv every matching row as CSV (live while it runs)",
        params: Type.Object({ operation_id: OperationIdSchema }),
        querystring: SweepSetsQuerySchema,
        response: { 200: SweepSetsPageSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.operation_id;
      if (/\btext\/csv\b/.test(request.headers.accept ?? ''))
        return sendCsv(reply, ctx, id, request.query);
      return ctx.sweepSets.setsPage(id, request.query);
    },
  );

  app.get(
    Routes.backend.sweepHeatmap,
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'The objective over the first two swept parameters: a cell per value pair, or per block of neighbouring values when an axis has more than 60 (each cell its best set)',
        params: Type.Object({ operation_id: OperationIdSchema }),
        querystring: Type.Object(
          { window: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
        response: { 200: SweepHeatmapSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => ctx.sweepSets.heatmap(request.params.operation_id, request.query.window),
  );

  app.post(
    Routes.backend.sweepSetBacktest,
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'Open one parameter set as a full backtest (made once, then the same id; its metrics equal the set row)',
        params: Type.Object({
          operation_id: OperationIdSchema,
          set_index: Type.Integer({ minimum: 0 }),
        }),
        response: { 202: StartResponseSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await ctx.sweepSets.openSet(request.params.operation_id, request.params.set_index)),
  );

  app.get(
    Routes.backend.operationResultCsv,
    {
      schema: {
        tags: ['sweeps'],
        summary: 'Every parameter set of a sweep as CSV, in rank order (live while it runs)',
        params: Type.Object({ operation_id: OperationIdSchema }),
        response: { 200: Type.String(), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => sendCsv(reply, ctx, request.params.operation_id, {}),
  );
}
