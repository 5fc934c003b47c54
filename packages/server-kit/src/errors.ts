import { ERROR_STATUS, type ErrorCode } from '@ktrdr/shared';

/**
 * An error with a wire code. Throw one from a handler and the central error handler
 * answers `{"error": {code, message, details}}` with the code's HTTP status.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    statusCode?: number,
  ) {
    super(message);
    this.statusCode = statusCode ?? ERROR_STATUS[code];
  }
}

/** 400: a bad value. `field` names it (dotted path) so forms can show it beside the input. */
export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(field: string, message: string, extra?: Record<string, unknown>) {
    super('VALIDATION_ERROR', field ? `${field}: ${message}` : message, {
      field,
      issues: [{ path: field, message }],
      ...extra,
    });
  }
}

/** 400 with several field issues at once. */
export class ValidationIssuesError extends AppError {
  override readonly name = 'ValidationIssuesError';
  constructor(issues: { path: string; message: string }[], prefix = '') {
    const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super('VALIDATION_ERROR', prefix ? `${prefix}: ${text}` : text, {
      field: issues[0]?.path ?? '',
      issues,
    });
  }
}

/** 404: an id in the URL path that does not exist. */
export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} "${id}" does not exist`, { [what.replace(/\s+/g, '_')]: id });
  }
}

/** 409: a state conflict (cancel a completed operation; a stale report). */
export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

/** 401: no or wrong token. The message never echoes what was sent. */
export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  constructor() {
    super('UNAUTHORIZED', 'missing or invalid token: send "Authorization: Bearer <token>"');
  }
}

/** 403: a valid credential that may not do this (a join token, a worker's credential). */
export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** 503: a service this one depends on (the IB host service, IB Gateway) is not there; the message says how to start it. */
export class ServiceUnavailableError extends AppError {
  override readonly name = 'ServiceUnavailableError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('SERVICE_UNAVAILABLE', message, details);
  }
}
