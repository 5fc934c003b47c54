import Type from 'typebox';
import {
  CancelQuerySchema,
  MetricsPageSchema,
  OperationIdSchema,
  OperationListSchema,
  OperationSchema,
  Routes,
  WorkerHealthSchema,
  type WorkerType,
} from '@ktrdr/shared';
import {
  ADMIN,
  bearerToken,
  safeEqual,
  createServer,
  errorResponses,
  NotFoundError,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { WorkerJobDefinition } from './job-definition.js';
import type { JobRunner } from './job-runner.js';
import type { LocalOperations } from './local-operations.js';

/** What the worker's HTTP API serves from. */
export interface WorkerAppDeps {
  workerId: () => string;
  workerType: WorkerType;
  version: string;
  /** The bearer tokens this worker accepts: the secret it gave the backend (and the admin token, when it was started with that). */
  tokens: () => readonly string[];
  definitions: readonly WorkerJobDefinition[];
  runner: JobRunner;
  local: LocalOperations;
  log: FastifyBaseLogger;
}

const OperationParams = Type.Object({ operation_id: OperationIdSchema });

const StartResponseSchema = Type.Object({
  success: Type.Literal(true),
  operation_id: Type.String(),
  status: Type.Literal('running'),
});

/**
 * The worker's HTTP API (the reference system's WorkerAPIBase, with its paths): `/health`, the operations proxy
 * endpoints, cancel, and one start route per job definition. Every route but `/health`
 * needs the token.
 */
export async function buildWorkerApp(deps: WorkerAppDeps): Promise<TypedServer> {
  const app = await createServer({
    title: `ktrdr ${deps.workerType} worker`,
    version: deps.version,
    description:
      'A worker: runs one operation at a time for the backend. Every route but /health needs the bearer token the worker gave the backend when it registered.',
    authenticate: (request) => {
      const sent = bearerToken(request);
      return sent !== undefined && deps.tokens().some((token) => safeEqual(sent, token))
        ? ADMIN
        : undefined;
    },
    logger: deps.log,
  });
  const tags = ['worker'];

  app.get(
    Routes.health,
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Who is here and whether it is busy (no token needed)',
        response: { 200: WorkerHealthSchema },
      },
    },
    async () => {
      const current = deps.runner.currentOperationId;
      return {
        status: 'ok' as const,
        worker_id: deps.workerId(),
        worker_type: deps.workerType,
        worker_status: current ? ('busy' as const) : ('idle' as const),
        current_operation_id: current,
      };
    },
  );

  app.get(
    Routes.worker.operations,
    {
      schema: {
        tags,
        summary: 'Operations this worker ran recently, newest first',
        response: { 200: OperationListSchema },
      },
    },
    async () => {
      const operations = deps.local.list();
      return { operations, total_count: operations.length };
    },
  );

  app.get(
    Routes.worker.operation,
    {
      schema: {
        tags,
        summary: "This worker's record of an operation",
        params: OperationParams,
        response: { 200: OperationSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const op = deps.local.get(request.params.operation_id);
      if (!op) throw new NotFoundError('operation', request.params.operation_id);
      return op;
    },
  );

  app.get(
    Routes.worker.operationMetrics,
    {
      schema: {
        tags,
        summary: 'Per-step metrics are kept by the backend; this answers an empty page',
        params: OperationParams,
        response: { 200: MetricsPageSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      if (!deps.local.get(request.params.operation_id))
        throw new NotFoundError('operation', request.params.operation_id);
      return { metrics: [], next: 0 };
    },
  );

  app.delete(
    Routes.worker.operationCancel,
    {
      schema: {
        tags,
        summary:
          'Stop a running operation; answers once it has stopped (forced after the deadline)',
        params: OperationParams,
        querystring: CancelQuerySchema,
        response: { 200: OperationSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const reason = request.query.reason?.trim();
      return deps.runner.cancel(
        request.params.operation_id,
        reason ? `cancelled: ${reason}` : 'cancelled by user',
      );
    },
  );

  for (const definition of deps.definitions) {
    app.post(
      definition.startPath,
      {
        schema: {
          tags,
          summary: `Start a ${definition.operationType} job (503 WORKER_BUSY while one runs)`,
          body: definition.requestSchema,
          response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
        },
      },
      async (request, reply) => {
        const job = request.body as Record<string, unknown> & { task_id: string; attempt: number };
        deps.runner.start(definition, job);
        return reply
          .code(202)
          .send({ success: true as const, operation_id: job.task_id, status: 'running' as const });
      },
    );
  }
  return app;
}
