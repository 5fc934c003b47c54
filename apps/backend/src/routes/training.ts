import { Routes, StartResponseSchema, TrainingStartRequestSchema } from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

/** `POST /api/v1/training/start`. */
export function trainingRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    Routes.backend.trainingStart,
    {
      schema: {
        tags: ['training'],
        summary:
          'Train a neuro_fuzzy strategy on a worker (a GPU worker first; queued when every worker is busy)',
        body: TrainingStartRequestSchema,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.training.start(request.body)),
  );
}
