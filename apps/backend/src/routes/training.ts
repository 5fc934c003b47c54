import { StartResponseSchema, trainingKind } from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { startRouteOf } from './job-kinds.js';

/** `POST /api/v1/training/start` (path and request schema from the training kind). */
export function trainingRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    startRouteOf(trainingKind),
    {
      schema: {
        tags: ['training'],
        summary:
          'Train a neuro_fuzzy strategy on a worker (a GPU worker first; queued when every worker is busy)',
        body: trainingKind.schemas.request,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.training.start(request.body)),
  );
}
