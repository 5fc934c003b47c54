import { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from './undici-agent.js';

/**
 * A certificate fingerprint in the form Node prints it (`fingerprint256`): 32 upper-case
 * hex bytes joined by colons. Accepts it with or without colons, in any case, optionally
 * prefixed `sha256/` or `SHA256:`. Throws a message naming `name` when it is not one.
 */
export function normalizeFingerprint(raw: string, name = 'KTRDR_BACKEND_FINGERPRINT'): string {
  const hex = raw
    .trim()
    .replace(/^sha256[/:]/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex))
    throw new Error(
      `${name} must be a SHA-256 certificate fingerprint (64 hex digits, colons allowed), as the Join view or the backend's banner prints it; got "${raw}"`,
    );
  return hex.match(/../g)!.join(':');
}

/**
 * An HTTP agent for a backend with a self-signed certificate: the certificate is trusted
 * when — and only when — its SHA-256 fingerprint is the pinned one (no CA, no host name:
 * the fingerprint is the identity). Any other certificate fails the connection.
 */
export function pinnedAgent(
  fingerprint: string,
  options: { connectTimeoutMs?: number; keepAliveTimeoutMs?: number } = {},
): Agent {
  const pinned = normalizeFingerprint(fingerprint);
  const connect = buildConnector({
    rejectUnauthorized: false,
    // a resumed TLS session carries no certificate to check: every connection shows it
    maxCachedSessions: 0,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  return new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    connect: (opts, callback) =>
      connect(opts, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        if (socket instanceof TLSSocket) {
          const seen = socket.getPeerCertificate().fingerprint256;
          if (seen !== pinned) {
            socket.destroy();
            return callback(
              new Error(
                `the server's certificate (SHA-256 ${seen || 'none'}) is not the pinned one (${pinned}): a different backend, or it made a new certificate — copy the join command again`,
              ),
              null,
            );
          }
        }
        callback(null, socket);
      }),
  });
}
