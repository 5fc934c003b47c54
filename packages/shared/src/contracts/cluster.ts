import Type, { type Static } from 'typebox';
import { Nullable } from './schema-helpers.js';

/** `POST /api/v1/session` body: the token to exchange for the web UI's session cookie. */
export const SessionRequestSchema = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
/** See {@link SessionRequestSchema}. */
export type SessionRequest = Static<typeof SessionRequestSchema>;

/** The answer to a session exchange (the cookie itself is HttpOnly). */
export const SessionResponseSchema = Type.Object({ authenticated: Type.Literal(true) });

/** `GET /api/v1/cluster`: where this backend listens and how another machine joins it. */
export const ClusterInfoSchema = Type.Object({
  version: Type.String(),
  listening: Type.Object({ host: Type.String(), port: Type.Integer() }),
  /** True when bound to all interfaces, so workers on the LAN can reach it. */
  accepts_lan_workers: Type.Boolean(),
  /** The URL other machines should use (null when the backend listens on loopback only). */
  lan_url: Nullable(Type.String()),
  /** The command that starts a worker on another machine (null when none can join). */
  join_command: Nullable(Type.String()),
  /** The same as a container on a Linux host (host networking), from the ktrdr-worker image. */
  docker_command: Nullable(Type.String()),
  /** Why no machine can join yet, and what to change. */
  join_hint: Nullable(Type.String()),
  /** TLS mode: the SHA-256 fingerprint of the backend's certificate, which the join command pins. */
  tls_fingerprint: Nullable(Type.String()),
  data_dir: Type.String(),
});
/** See {@link ClusterInfoSchema}. */
export type ClusterInfo = Static<typeof ClusterInfoSchema>;

/** `POST /api/v1/tokens/rotate` body: which secret to replace. */
export const TokenRotateRequestSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('admin'), Type.Literal('join'), Type.Literal('workers')], {
      description:
        "admin: the UI/CLI/API token; join: the token that registers workers; workers: revoke every worker's credential (each registers again with the join token)",
    }),
  },
  { additionalProperties: false },
);
/** See {@link TokenRotateRequestSchema}. */
export type TokenRotateRequest = Static<typeof TokenRotateRequestSchema>;

/** The answer to a rotation. */
export const TokenRotateResponseSchema = Type.Object({
  kind: Type.String(),
  /** The new token (admin, join); null for workers. */
  token: Nullable(Type.String()),
  /** The file the new token was written to (null: it came from the environment, so it lasts until a restart). */
  persisted_to: Nullable(Type.String()),
  /** Worker credentials revoked (workers). */
  revoked: Type.Integer(),
  /** What happens next, in words. */
  note: Type.String(),
});
/** See {@link TokenRotateResponseSchema}. */
export type TokenRotateResponse = Static<typeof TokenRotateResponseSchema>;
