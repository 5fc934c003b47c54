import { BacktestStartRequestSchema, Routes, StartResponseSchema } from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

/** `POST /api/v1/backtests/start`. */
export function backtestRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    Routes.backend.backtestStart,
    {
      schema: {
        tags: ['backtests'],
        summary: 'Start a backtest on a worker (queued when every worker is busy)',
        body: BacktestStartRequestSchema,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.backtests.start(request.body)),
  );
}
