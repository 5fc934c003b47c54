import Type, { type Static } from 'typebox';
import { StringEnum } from './schema-helpers.js';

/** Every error code a service may answer with (DESIGN.md §3). */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  /**
   * 409 on `POST /api/v1/workers/register`: the `worker_id` names a live worker at another
   * endpoint (cloned machines share a host name, so the default `<type>-<hostname>-<port>`
   * collides). The live worker is left alone; `details` carry `worker_id` and
   * `live_endpoint` (null for a worker on a reverse channel). The refused worker exits:
   * give it its own id with `KTRDR_WORKER_ID`.
   */
  'WORKER_ID_IN_USE',
  'PAYLOAD_TOO_LARGE',
  'WORKER_UNAVAILABLE',
  'WORKER_BUSY',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

/** A machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status each error code travels with. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  WORKER_ID_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  WORKER_UNAVAILABLE: 503,
  WORKER_BUSY: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/** The body of every error response, from every service. */
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: StringEnum(ERROR_CODES),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
/** `{"error": {"code", "message", "details"?}}`. */
export type ErrorResponse = Static<typeof ErrorResponseSchema>;
