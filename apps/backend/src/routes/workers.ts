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
  ChannelReplySchema,
} from '@ktrdr/shared';
import {
  bearerToken,
  ConflictError,
  errorResponses,
  NotFoundError,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

const WorkerParams = Type.Object({ worker_id: WorkerIdSchema });

/** The roster: register, heartbeat, list, get, leave; and the channel of reverse workers. */
export function workerRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['workers'];
  const reverseWorker = (workerId: string) => {
    const worker = ctx.registry.get(workerId);
    if (!worker) throw new NotFoundError('worker', workerId);
    if (worker.connection !== 'reverse')
      throw new ConflictError(
        `worker ${workerId} registered with a direct connection; only a reverse worker holds a channel`,
      );
    return worker;
  };

  app.get(
    Routes.backend.workerChannel,
    {
      config: { access: ['worker'] },
      schema: {
        tags,
        summary:
          'A reverse worker holds this SSE stream open; the requests the backend would send to its URL arrive as `request` events',
        params: WorkerParams,
        response: { ...errorResponses(404, 409) },
      },
    },
    (request, reply) => {
      ctx.scope.self(request, request.params.worker_id, 'open the channel');
      const worker = reverseWorker(request.params.worker_id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': channel open\nretry: 1000\n\n');
      const close = ctx.channels.open(worker.worker_id, (event, data) =>
        res.write(`event: ${event}\ndata: ${data}\n\n`),
      );
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15_000);
      const end = () => {
        clearInterval(keepalive);
        close();
      };
      request.raw.on('close', end);
      res.on('error', end);
    },
  );

  app.post(
    Routes.backend.workerChannelReplies,
    {
      config: { access: ['worker'] },
      schema: {
        tags,
        summary: "A reverse worker's answer to a request that came down its channel",
        params: WorkerParams,
        body: ChannelReplySchema,
        response: { 204: Type.Null(), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      ctx.scope.self(request, request.params.worker_id, 'answer on the channel');
      reverseWorker(request.params.worker_id);
      if (!ctx.channels.reply(request.params.worker_id, request.body))
        throw new ConflictError(
          `nothing waits for reply ${request.body.id} (late, or from an old channel)`,
        );
      return reply.code(204).send(null);
    },
  );
  app.post(
    Routes.backend.workerRegister,
    {
      config: { access: ['join', 'worker'] },
      schema: {
        tags,
        summary:
          "Register (or re-register) a worker, with the join token (or the worker's own credential); the backend calls it back at endpoint_url/health first. The answer carries the worker's credential. 409 WORKER_ID_IN_USE: the id belongs to a live worker at another endpoint (cloned machines): set KTRDR_WORKER_ID on this one.",
        body: WorkerRegistrationSchema,
        response: { 200: WorkerRegistrationResponseSchema, ...errorResponses(400, 403, 409) },
      },
    },
    async (request) => {
      ctx.scope.self(request, request.body.worker_id, 'register');
      // registering with its own credential keeps it; with a token, a new one is issued
      const own = request.principal?.role === 'worker' ? bearerToken(request) : undefined;
      return ctx.workers.register(request.body, own);
    },
  );

  app.post(
    Routes.backend.workerHeartbeat,
    {
      config: { access: ['worker'] },
      schema: {
        tags,
        summary: 'Heartbeat; 404 means "unknown worker: register again"',
        params: WorkerParams,
        body: HeartbeatSchema,
        response: { 200: HeartbeatResponseSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      ctx.scope.self(request, request.params.worker_id, 'heartbeat');
      return ctx.workers.heartbeat(request.params.worker_id, request.body);
    },
  );

  app.get(
    Routes.backend.workers,
    {
      schema: {
        tags,
        summary:
          "The roster, each worker with its activity over the last 10 minutes (busy fraction, jobs completed per minute), and the cluster's throughput",
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
        .map((w) => ctx.activity.wireWorker(w));
      return { workers, total_count: workers.length, activity: ctx.activity.wireCluster() };
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
      return ctx.activity.wireWorker(worker);
    },
  );

  app.delete(
    Routes.backend.worker,
    {
      config: { access: ['worker'] },
      schema: {
        tags,
        summary: 'A worker leaves gracefully (its credential stops working)',
        params: WorkerParams,
        response: { 204: Type.Null(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      ctx.scope.self(request, request.params.worker_id, 'leave');
      ctx.workers.leave(request.params.worker_id);
      return reply.code(204).send(null);
    },
  );
}
