import Type from 'typebox';
import {
  HeartbeatResponseSchema,
  HeartbeatSchema,
  Routes,
  WorkerIdSchema,
  WorkerListQuerySchema,
  WorkerListSchema,
  WorkerRegistrationResponseSchema,
  WorkerRegistrationSchema,
  WorkerSchema,
} from '@ktrdr/shared';
import { errorResponses, NotFoundError, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { toWireWorker } from '../workers/worker-registry.js';

const WorkerParams = Type.Object({ worker_id: WorkerIdSchema });

/** The roster: register, heartbeat, list, get, leave. */
export function workerRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['workers'];
  app.post(
    Routes.backend.workerRegister,
    {
      schema: {
        tags,
        summary:
          'Register (or re-register) a worker; the backend calls it back at endpoint_url/health first',
        body: WorkerRegistrationSchema,
        response: { 200: WorkerRegistrationResponseSchema, ...errorResponses(400) },
      },
    },
    async (request) => ctx.workers.register(request.body),
  );

  app.post(
    Routes.backend.workerHeartbeat,
    {
      schema: {
        tags,
        summary: 'Heartbeat; 404 means "unknown worker: register again"',
        params: WorkerParams,
        body: HeartbeatSchema,
        response: { 200: HeartbeatResponseSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => ctx.workers.heartbeat(request.params.worker_id, request.body),
  );

  app.get(
    Routes.backend.workers,
    {
      schema: {
        tags,
        summary: 'The roster',
        querystring: WorkerListQuerySchema,
        response: { 200: WorkerListSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const { worker_type, status } = request.query;
      const workers = ctx.registry
        .all()
        .filter(
          (w) =>
            (!worker_type || w.worker_type === worker_type) && (!status || w.status === status),
        )
        .map(toWireWorker);
      return { workers, total_count: workers.length };
    },
  );

  app.get(
    Routes.backend.worker,
    {
      schema: {
        tags,
        summary: 'One worker',
        params: WorkerParams,
        response: { 200: WorkerSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const worker = ctx.registry.get(request.params.worker_id);
      if (!worker) throw new NotFoundError('worker', request.params.worker_id);
      return toWireWorker(worker);
    },
  );

  app.delete(
    Routes.backend.worker,
    {
      schema: {
        tags,
        summary: 'A worker leaves gracefully',
        params: WorkerParams,
        response: { 204: Type.Null(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      ctx.workers.leave(request.params.worker_id);
      return reply.code(204).send(null);
    },
  );
}
