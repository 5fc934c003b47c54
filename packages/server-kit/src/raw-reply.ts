import type { FastifyReply } from 'fastify';

/**
 * The reply without its route's typed response schema, for handlers that send bytes they
 * already serialized (cached JSON, gzip, files) or a bodiless 204/304.
 */
export function rawReply(reply: unknown): FastifyReply {
  return reply as FastifyReply;
}
