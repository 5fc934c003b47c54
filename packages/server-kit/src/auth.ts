import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Compares two secrets in constant time (hashing first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The bearer token of a request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/** Decides whether a request is allowed; return true to let it through. */
export type Authenticator = (request: FastifyRequest) => boolean;

/** The authenticator of a single shared bearer token (the cluster token). */
export function bearerAuthenticator(token: () => string): Authenticator {
  return (request) => {
    const sent = bearerToken(request);
    return sent !== undefined && safeEqual(sent, token());
  };
}
