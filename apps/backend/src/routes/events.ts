import { Routes } from '@ktrdr/shared';
import type { TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import type { StoredEvent } from '../events/event-bus.js';

const KEEPALIVE_MS = 15_000;
/** Unsent bytes one SSE client may hold in the backend before its stream is closed. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

/** `GET /api/v1/events`: Server-Sent Events with replay from `Last-Event-ID`. */
export function eventRoutes(app: TypedServer, ctx: BackendContext): void {
  app.get(
    Routes.backend.events,
    {
      schema: {
        tags: ['events'],
        summary:
          'Live events (SSE): worker, heartbeats, worker_removed, operation, progress, metrics',
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 20 } },
        },
      },
    },
    (request, reply) => {
      const lastIdHeader = request.headers['last-event-id'];
      const lastId =
        typeof lastIdHeader === 'string' && /^\d+$/.test(lastIdHeader)
          ? Number(lastIdHeader)
          : undefined;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\nretry: 1000\n\n');
      if (lastId !== undefined)
        for (const event of ctx.events.since(lastId)) res.write(event.frame);
      const write = (event: StoredEvent) => {
        // a client that does not read keeps its backlog in our memory: past the limit it is
        // cut off, and reconnects with Last-Event-ID to replay what it missed
        if (res.writableLength > MAX_BACKLOG_BYTES) {
          request.log.warn(
            { backlog_bytes: res.writableLength },
            'SSE client not keeping up: closing its stream (it reconnects and replays)',
          );
          end();
          res.destroy();
          return;
        }
        // events published in one tick (a start, its dispatch, its queue moves) leave in one write
        if (!res.writableCorked) {
          res.cork();
          process.nextTick(() => res.uncork());
        }
        res.write(event.frame);
      };
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      const unsubscribe = ctx.events.subscribe(write);
      function end() {
        clearInterval(keepalive);
        unsubscribe();
      }
      request.raw.on('close', end);
      res.on('error', end);
    },
  );
}
