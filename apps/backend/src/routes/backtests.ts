import { StartResponseSchema, backtestingKind } from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { startRouteOf } from './job-kinds.js';

/** `POST /api/v1/backtests/start` (path and request schema from the backtesting kind). */
export function backtestRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    startRouteOf(backtestingKind),
    {
      schema: {
        tags: ['backtests'],
        summary: 'Start a backtest on a worker (queued when every worker is busy)',
        body: backtestingKind.schemas.request,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.backtests.start(request.body)),
  );
}
