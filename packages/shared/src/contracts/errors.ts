import Type, { type Static } from 'typebox';
import { ApiError } from '../client/errors.js';
import { StringEnum } from './schema-helpers.js';

/** Every error code a service may answer with (the wire contract, packages/shared/src/contracts). */
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

/**
 * The exit status of a worker whose id the backend refused because a live worker at another
 * endpoint holds it (409 `WORKER_ID_IN_USE`: cloned machines with one host name). 78 is
 * sysexits' EX_CONFIG: a configuration error that retrying cannot fix — give the worker its
 * own `KTRDR_WORKER_ID`. Supervisors (the desktop app's, systemd's) should not restart it.
 */
export const EXIT_WORKER_ID_IN_USE = 78;

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

/**
 * The outcomes of the worker protocol that a coarse error code alone does not name. Each
 * travels as `details.outcome` of an error whose `code` and status keep their older meaning
 * (409 `CONFLICT`), so an old worker that reads only the status still does the right thing
 * and a new one branches on the name.
 */
export const PROTOCOL_OUTCOMES = [
  /**
   * 409 on a report or an artifact upload: `worker_id` + `attempt` no longer hold the
   * operation (it failed over, was resumed, or was dispatched afresh). The worker drops that
   * attempt of the job; `details.attempt` and `details.worker_id` say who holds it now.
   */
  'ATTEMPT_SUPERSEDED',
  /**
   * 409 on a report or an artifact upload from the attempt that does hold the operation,
   * which has already ended (cancelled, failed, or ended with another outcome): the report
   * comes too late to change anything. The worker drops the job; `details.status` is the
   * recorded ending.
   */
  'STALE_REPORT',
] as const;

/** A named protocol outcome (`details.outcome` of an error response). */
export type ProtocolOutcome = (typeof PROTOCOL_OUTCOMES)[number];

const KNOWN_OUTCOMES = new Set<string>(PROTOCOL_OUTCOMES);

/**
 * The `details` of an error response that carries a protocol outcome: `drop: true` tells
 * any worker, old or new, to drop the job it reported on.
 */
export function outcomeDetails(
  outcome: ProtocolOutcome,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { outcome, drop: true, ...extra };
}

/** True when `error` is an {@link ApiError} with this code. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is ApiError {
  return error instanceof ApiError && error.code === code;
}

/** The named protocol outcome an error carries, if any. */
export function protocolOutcome(error: unknown): ProtocolOutcome | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const outcome = error.details?.outcome;
  return typeof outcome === 'string' && KNOWN_OUTCOMES.has(outcome)
    ? (outcome as ProtocolOutcome)
    : undefined;
}

/**
 * True when the backend answered that the job reported on is no longer this worker's to
 * run: a named drop outcome, or (from a backend older than the names) a 409 whose details
 * say `drop: true`.
 */
export function mustDropJob(error: unknown): error is ApiError {
  if (!(error instanceof ApiError)) return false;
  return (
    protocolOutcome(error) !== undefined || (error.status === 409 && error.details?.drop === true)
  );
}
