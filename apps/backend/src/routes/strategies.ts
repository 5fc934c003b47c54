import Type from 'typebox';
import {
  Routes,
  StrategyDocumentSchema,
  StrategyListSchema,
  StrategyNameSchema,
} from '@ktrdr/shared';
import { errorResponses, NotFoundError, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

/** Strategies: list and read (editing comes with the engine issue). */
export function strategyRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['strategies'];
  app.get(
    Routes.backend.strategies,
    { schema: { tags, summary: 'Every valid strategy', response: { 200: StrategyListSchema } } },
    async () => ({
      strategies: ctx.strategies.list(),
    }),
  );

  app.get(
    Routes.backend.strategy,
    {
      schema: {
        tags,
        summary: 'One strategy: its YAML and parsed configuration',
        params: Type.Object({ name: StrategyNameSchema }),
        response: { 200: StrategyDocumentSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const strategy = ctx.strategies.get(request.params.name);
      if (!strategy) throw new NotFoundError('strategy', request.params.name);
      return {
        name: strategy.name,
        hash: strategy.hash,
        version: strategy.version,
        yaml: strategy.yaml,
        config: strategy.config as unknown as Record<string, unknown>,
      };
    },
  );
}
