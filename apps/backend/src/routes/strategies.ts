import Type from 'typebox';
import {
  Routes,
  StrategyDocumentSchema,
  StrategyListSchema,
  StrategyNameSchema,
  StrategyValidationSchema,
  type StrategyValidation,
} from '@ktrdr/shared';
import {
  errorResponses,
  NotFoundError,
  ValidationError,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { readsStrategy } from '../auth/worker-scope.js';
import type { BackendContext } from '../context.js';
import {
  parseStrategyYaml,
  type StoredStrategy,
  type StrategyStore,
} from '../strategies/strategy-store.js';
import { strategyHash } from '@ktrdr/engine/validate';

const NameParams = Type.Object({ name: StrategyNameSchema });
const YamlBody = Type.Object(
  { yaml: Type.String({ maxLength: 256 * 1024 }) },
  { additionalProperties: false },
);

function requireYaml(yaml: string): string {
  if (!yaml.trim()) throw new ValidationError('yaml', 'is empty; send the strategy YAML');
  return yaml;
}

/** Parses without storing, and says whether saving it would make a new version. */
function validation(store: StrategyStore, yaml: string): StrategyValidation {
  const config = parseStrategyYaml(requireYaml(yaml));
  let storedHash: string | null = null;
  try {
    storedHash = store.get(config.name)?.hash ?? null;
  } catch {
    // the stored file of that name is itself invalid: saving this one replaces it
  }
  return {
    valid: true,
    name: config.name,
    type: config.type,
    hash: strategyHash(config),
    indicators: Object.keys(config.indicators),
    stored_hash: storedHash,
  };
}

function document(strategy: StoredStrategy) {
  return {
    name: strategy.name,
    hash: strategy.hash,
    version: strategy.version,
    yaml: strategy.yaml,
    config: strategy.config as unknown as Record<string, unknown>,
  };
}

/** Strategies: list, read (any version by hash), write (validated; a new version per change). */
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
      config: { access: ['worker'] },
      schema: {
        tags,
        summary: 'One strategy: its YAML and parsed configuration (?hash= for an earlier version)',
        params: NameParams,
        querystring: Type.Object(
          { hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: StrategyDocumentSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { hash } = request.query;
      // a worker reads the version its job names (a sweep's children carry only a reference)
      ctx.scope.needs(request, `the strategy ${name}`, readsStrategy(name, hash));
      const strategy = hash ? ctx.strategies.version(name, hash) : ctx.strategies.get(name);
      if (!strategy)
        throw new NotFoundError(hash ? `version ${hash} of strategy` : 'strategy', name);
      return document(strategy);
    },
  );

  // YAML arrives as text (application/yaml, text/yaml, text/plain) or as JSON {"yaml": "..."}
  void app.register(async (untyped) => {
    const scope = untyped.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(
      ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'],
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_r, body, done) => done(null, { yaml: body }),
    );
    scope.post(
      Routes.backend.strategyValidate,
      {
        bodyLimit: 256 * 1024,
        schema: {
          tags,
          summary: 'Check strategy YAML without storing it (400 names the path of each problem)',
          body: YamlBody,
          response: { 200: StrategyValidationSchema, ...errorResponses(400) },
        },
      },
      async (request) => validation(ctx.strategies, request.body.yaml),
    );
    scope.put(
      Routes.backend.strategy,
      {
        bodyLimit: 256 * 1024,
        schema: {
          tags,
          summary:
            'Create or change a strategy from YAML (validated; each change is a new version)',
          params: NameParams,
          body: YamlBody,
          response: {
            200: StrategyDocumentSchema,
            201: StrategyDocumentSchema,
            ...errorResponses(400),
          },
        },
      },
      async (request, reply) => {
        const yaml = requireYaml(request.body.yaml);
        const { strategy, created } = ctx.strategies.put(request.params.name, yaml);
        return reply.code(created ? 201 : 200).send(document(strategy));
      },
    );
  });
}
