import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ADMIN, bearerToken, safeEqual, type Authenticator, type Principal } from './auth.js';

/** The name of the web UI's session cookie. */
export const SESSION_COOKIE = 'ktrdr_session';

/**
 * The session cookie's value for a token: an HMAC of it, so the cookie never holds the
 * token itself, survives a backend restart, and stops working when the token rotates.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('ktrdr-web-session-v1').digest('base64url');
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Accepts the admin token, the session cookie the web UI got for it, or — through
 * `bearer` — other bearer credentials (a join token, a worker's credential).
 */
export function bearerOrSessionAuthenticator(
  token: () => string,
  bearer: (sent: string) => Principal | undefined = () => undefined,
): Authenticator {
  return (request) => {
    const sent = bearerToken(request);
    if (sent !== undefined) return safeEqual(sent, token()) ? ADMIN : bearer(sent);
    const session = cookieValue(request, SESSION_COOKIE);
    return session !== undefined && safeEqual(session, sessionValue(token())) ? ADMIN : undefined;
  };
}
