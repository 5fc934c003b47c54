import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { formatSchemaErrors, type ErrorCode, type SchemaErrorLike } from '@ktrdr/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/** Path parameters longer than this are refused before routing (the schemas allow far less). */
export const MAX_PARAM_LENGTH = 2048;

const PART_PREFIX: Record<string, string> = {
  body: '',
  querystring: 'query.',
  params: 'path.',
  headers: 'header.',
};

function send(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
) {
  return reply
    .code(status)
    .type('application/json')
    .send({ error: details ? { code, message, details } : { code, message } });
}

/**
 * The one place where errors become HTTP answers: schema errors name the field, known
 * errors keep their code, and anything unexpected is a 500 whose details go to the log
 * only (never to the client).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(
    (
      error: FastifyError & { validation?: SchemaErrorLike[]; validationContext?: string },
      request: FastifyRequest,
      reply: FastifyReply,
    ) => {
      if (error instanceof AppError) {
        if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
        return send(reply, error.statusCode, error.code, error.message, error.details);
      }
      if (error.validation) {
        const context = error.validationContext ?? 'body';
        const prefix = (PART_PREFIX[context] ?? `${context}.`).replace(/\.$/, '');
        const issues = formatSchemaErrors(error.validation, prefix).map((issue) =>
          issue.path ? issue : { ...issue, path: context === 'body' ? 'body' : prefix || context },
        );
        const message =
          issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') ||
          'invalid request';
        return send(reply, 400, 'VALIDATION_ERROR', message, {
          field: issues[0]?.path ?? '',
          issues,
        });
      }
      const status = error.statusCode ?? 500;
      if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const limit = request.routeOptions.bodyLimit;
        return send(
          reply,
          413,
          'PAYLOAD_TOO_LARGE',
          `body: is larger than the ${limit ? `${limit}-byte ` : ''}limit of this route`,
          { field: 'body', ...(limit ? { limit_bytes: limit } : {}) },
        );
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return send(
          reply,
          415,
          'VALIDATION_ERROR',
          `body: content type "${request.headers['content-type'] ?? ''}" is not accepted here; send application/json`,
          { field: 'body' },
        );
      }
      if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        return send(reply, 400, 'VALIDATION_ERROR', 'body: is empty; send a JSON object', {
          field: 'body',
        });
      }
      if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
        return send(reply, 400, 'VALIDATION_ERROR', 'body: is not valid JSON', { field: 'body' });
      }
      if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
        return send(
          reply,
          400,
          'VALIDATION_ERROR',
          'body: its size does not match the Content-Length header',
          { field: 'body' },
        );
      }
      if (status >= 400 && status < 500) {
        // anything else a content-type parser or Fastify refuses is about the body or the request
        const about = error.code?.startsWith('FST_ERR_CTP_') ? 'body: ' : '';
        return send(
          reply,
          status,
          status === 404 ? 'NOT_FOUND' : 'VALIDATION_ERROR',
          `${about}${error.message}`,
        );
      }
      request.log.error({ err: error }, 'unhandled error');
      return send(reply, 500, 'INTERNAL_ERROR', 'internal error; see the service log');
    },
  );

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
}

/**
 * Fastify's `frameworkErrors`: URLs it refuses before routing (bad percent-encoding, an
 * overlong path parameter) get the same JSON errors as everything else.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = (request.raw.url ?? '').split('?')[0] ?? '';
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void send(
      reply,
      414,
      'VALIDATION_ERROR',
      `path: a path parameter is longer than ${MAX_PARAM_LENGTH} characters`,
      { field: 'path' },
    );
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void send(
      reply,
      400,
      'VALIDATION_ERROR',
      `path: "${shown}" is not a valid URL path (malformed percent-encoding)`,
      { field: 'path' },
    );
    return;
  }
  void send(reply, 400, 'VALIDATION_ERROR', `path: ${error.message}`, { field: 'path' });
}

/**
 * Node's `clientError`: a request that is not valid HTTP (or whose headers are too large)
 * gets a JSON error before the connection closes, instead of Fastify's own body.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // a reset connection, or an answer already sent (data after `Connection: close`)
  if (error.code === 'ECONNRESET' || error.code === 'HPE_CLOSED_CONNECTION' || socket.destroyed) {
    socket.destroy();
    return;
  }
  let status = 400;
  let message = `request: is not valid HTTP (${error.code ?? error.message})`;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'headers: the request line and headers are larger than the server accepts';
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'request: was not received completely in time';
  }
  const body = JSON.stringify({ error: { code: 'VALIDATION_ERROR', message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
