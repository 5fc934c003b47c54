import Type from 'typebox';
import {
  hasKind,
  OperationIdSchema,
  Routes,
  StartResponseSchema,
  sweepKind,
  type SweepResult,
} from '@ktrdr/shared';
import { ConflictError, errorResponses, rawReply, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { startRouteOf } from './job-kinds.js';
import { leaderboardCsv } from '../sweeps/leaderboard-csv.js';

/** `POST /api/v1/sweeps/start` and the leaderboard as CSV. */
export function sweepRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    startRouteOf(sweepKind),
    {
      schema: {
        tags: ['sweeps'],
        summary:
          'Start a parameter sweep: one backtest per parameter set (grid or random), over every free backtest worker; every set is checked before any is queued',
        body: sweepKind.schemas.request,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.sweeps.start(request.body)),
  );

  app.get(
    Routes.backend.operationResultCsv,
    {
      schema: {
        tags: ['sweeps'],
        summary: "A sweep's leaderboard as CSV (live while it runs)",
        params: Type.Object({ operation_id: OperationIdSchema }),
        response: { 200: Type.String(), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const id = request.params.operation_id;
      const record = ctx.operations.require(id);
      if (!hasKind(record, sweepKind.operationType))
        throw new ConflictError(
          `operation ${id} is a ${record.operation_type} operation; only a sweep has a leaderboard`,
        );
      const result = JSON.parse(await ctx.sweeps.resultText(id)) as SweepResult;
      return rawReply(reply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${id}-leaderboard.csv"`)
        .send(leaderboardCsv(result));
    },
  );
}
