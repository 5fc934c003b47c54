import { formatSchemaErrors, type ErrorCode, type SchemaErrorLike } from '@ktrdr/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

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
        return send(reply, 413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
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
      if (status >= 400 && status < 500) {
        return send(
          reply,
          status,
          status === 404 ? 'NOT_FOUND' : 'VALIDATION_ERROR',
          error.message,
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
