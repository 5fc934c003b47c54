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

/**
 * Who a request comes from. `admin` (the cluster token, the UI's session) may do anything;
 * `join` (the join token) may only register a worker; `worker` (a worker's own credential)
 * may do what its jobs need, for itself only. Routes name the roles they accept beyond admin.
 */
export type Principal = { role: 'admin' } | { role: 'join' } | { role: 'worker'; workerId: string };

/** A role a route can grant besides `admin`. */
export type GrantableRole = 'join' | 'worker';

/** The principal of the admin token. */
export const ADMIN: Principal = Object.freeze({ role: 'admin' });

/** Decides who a request comes from; undefined = no or a wrong token (401). */
export type Authenticator = (request: FastifyRequest) => Principal | undefined;

/** The authenticator of one bearer token that may do everything (workers, the IB host service). */
export function bearerAuthenticator(token: () => string): Authenticator {
  return (request) => {
    const sent = bearerToken(request);
    return sent !== undefined && safeEqual(sent, token()) ? ADMIN : undefined;
  };
}
