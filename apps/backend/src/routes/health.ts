import { BackendHealthSchema, Routes } from '@ktrdr/shared';
import type { TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

/** `GET /health` (open) and `GET /metrics` (Prometheus text, behind the token). */
export function healthRoutes(app: TypedServer, ctx: BackendContext): void {
  app.get(
    Routes.health,
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Liveness (no token needed)',
        response: { 200: BackendHealthSchema },
      },
    },
    async () => ({
      status: 'ok' as const,
      service: 'backend' as const,
      version: ctx.version,
      uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
      workers: ctx.registry.all().length,
    }),
  );

  app.get(
    Routes.metrics,
    { schema: { tags: ['system'], summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );
}
