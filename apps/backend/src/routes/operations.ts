import Type from 'typebox';
import {
  ArtifactNameSchema,
  ArtifactUploadQuerySchema,
  ArtifactUploadResponseSchema,
  BacktestResultSchema,
  encodeFullResult,
  FULL_RESULT_MEDIA_TYPE,
  FullResultFormatError,
  FullResultQuerySchema,
  fullResultJsonChunks,
  SweepResultSchema,
  CancelQuerySchema,
  MetricsPageSchema,
  MetricsQuerySchema,
  OperationIdSchema,
  OperationListQuerySchema,
  OperationListSchema,
  OperationReportResponseSchema,
  OperationReportSchema,
  OperationSchema,
  Routes,
  StartResponseSchema,
} from '@ktrdr/shared';
import { errorResponses, rawReply, ValidationError, type TypedServer } from '@ktrdr/server-kit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createReadStream, type ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { BackendContext } from '../context.js';
import type { ArtifactBody } from '../artifacts/artifact-store.js';
import { readStoredFullResult } from '../operations/full-result-artifact.js';

const OperationParams = Type.Object({ operation_id: OperationIdSchema });

/** Operations: list, get, metrics, result, cancel, worker reports and artifact uploads. */
export function operationRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['operations'];
  app.get(
    Routes.backend.operations,
    {
      schema: {
        tags,
        summary: 'Operations, newest first',
        querystring: OperationListQuerySchema,
        response: { 200: OperationListSchema, ...errorResponses(400) },
      },
    },
    async (request) => ctx.operations.list(request.query),
  );

  app.get(
    Routes.backend.operation,
    {
      schema: {
        tags,
        summary: 'One operation',
        params: OperationParams,
        response: { 200: OperationSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => ctx.operations.toWire(ctx.operations.require(request.params.operation_id)),
  );

  app.get(
    Routes.backend.operationMetrics,
    {
      schema: {
        tags,
        summary: 'Per-step metrics (training epochs) after cursor ?since=',
        params: OperationParams,
        querystring: MetricsQuerySchema,
        response: { 200: MetricsPageSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const id = request.params.operation_id;
      ctx.operations.require(id);
      const since = request.query.since ?? 0;
      const metrics = ctx.operations.metricsSince(id, since);
      const last = metrics[metrics.length - 1];
      return { metrics, next: last ? last.seq + 1 : since };
    },
  );

  app.get(
    Routes.backend.operationResult,
    {
      schema: {
        tags,
        summary:
          "The result of a completed operation; a sweep's leaderboard is served while it runs too",
        params: OperationParams,
        response: {
          200: Type.Union([BacktestResultSchema, SweepResultSchema]),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const text = await ctx.actions.resultText(request.params.operation_id);
      return rawReply(reply).type('application/json').send(text);
    },
  );

  app.get(
    Routes.backend.operationResultFull,
    {
      schema: {
        tags,
        summary:
          'The full result of a completed backtest, every bar and every trade: a binary columnar file (application/vnd.ktrdr.full-result, docs/full-result-format.md), or ?format=json for JSON (streamed)',
        params: OperationParams,
        querystring: FullResultQuerySchema,
        response: { 200: BacktestResultSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { operation_id: id } = request.params;
      const stored = ctx.actions.fullResultFile(id);
      const format = request.query.format ?? stored.form;
      const raw = rawReply(reply).header(
        'content-disposition',
        `attachment; filename="${id}-full-result.${format === 'binary' ? 'bin' : 'json'}"`,
      );
      if (format === stored.form)
        return raw
          .type(format === 'binary' ? FULL_RESULT_MEDIA_TYPE : 'application/json')
          .send(bodyOf(stored.body));
      const result = await readStoredFullResult(stored).catch((error: unknown) => {
        // the JSON stored is not a backtest's result (a sweep's, a download's): it has no columns
        if (error instanceof FullResultFormatError || stored.form === 'binary') throw error;
        throw new ValidationError(
          'query.format',
          `binary is a form of a backtest's full result only; this operation's result is JSON (leave format out)`,
        );
      });
      if (format === 'json')
        return raw.type('application/json').send(Readable.from(fullResultJsonChunks(result)));
      const bytes = encodeFullResult(result);
      return raw
        .type(FULL_RESULT_MEDIA_TYPE)
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.get(
    Routes.backend.operationArtifact,
    {
      config: { access: ['worker'] },
      schema: {
        tags: ['workers'],
        summary: 'Download an artifact of an operation (a worker resuming from a checkpoint)',
        params: Type.Object({ operation_id: OperationIdSchema, name: ArtifactNameSchema }),
        response: errorResponses(400, 404),
      },
    },
    async (request, reply) => {
      const { operation_id, name } = request.params;
      ctx.scope.holds(request, ctx.operations.require(operation_id));
      return rawReply(reply)
        .type(name.endsWith('.json') ? 'application/json' : 'application/octet-stream')
        .send(bodyOf(ctx.actions.artifact(operation_id, name)));
    },
  );

  app.post(
    Routes.backend.operationResume,
    {
      schema: {
        tags,
        summary:
          'Continue a failed or cancelled operation from its last checkpoint (same id, next attempt)',
        params: OperationParams,
        response: { 202: StartResponseSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request, reply) =>
      reply.code(202).send({
        success: true as const,
        ...(await ctx.actions.resume(request.params.operation_id)),
      }),
  );

  app.post(
    Routes.backend.operationRetry,
    {
      schema: {
        tags,
        summary:
          'Run an ended operation again from scratch, as a new operation (retry_of = this one)',
        params: OperationParams,
        response: { 202: StartResponseSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (request, reply) =>
      reply.code(202).send({
        success: true as const,
        ...(await ctx.actions.retry(request.params.operation_id)),
      }),
  );

  app.delete(
    Routes.backend.operationCancel,
    {
      schema: {
        tags,
        summary: 'Cancel a pending or running operation; answers with its final state',
        params: OperationParams,
        querystring: CancelQuerySchema,
        response: { 200: OperationSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => ctx.actions.cancel(request.params.operation_id, request.query.reason),
  );

  app.post(
    Routes.backend.operationReport,
    {
      config: { access: ['worker'] },
      schema: {
        tags: ['workers'],
        summary: 'Workers only: progress or outcome of the attempt they hold (409 = drop it)',
        params: OperationParams,
        body: OperationReportSchema,
        response: { 200: OperationReportResponseSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      ctx.scope.self(request, request.body.worker_id, 'report');
      return ctx.actions.report(request.params.operation_id, request.body);
    },
  );

  // artifacts arrive as raw streams of any content type: parse nothing, stream to disk
  void app.register(async (untyped) => {
    const scope = untyped.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(
      Routes.backend.operationArtifact,
      {
        bodyLimit: 2 * 1024 ** 3,
        config: { access: ['worker'] },
        schema: {
          tags: ['workers'],
          summary: 'Workers only: upload an artifact (result, checkpoint) of the attempt they hold',
          params: Type.Object({ operation_id: OperationIdSchema, name: ArtifactNameSchema }),
          querystring: ArtifactUploadQuerySchema,
          response: { 200: ArtifactUploadResponseSchema, ...errorResponses(400, 404, 409, 413) },
        },
      },
      async (request) => {
        const { operation_id, name } = request.params;
        ctx.scope.self(request, request.query.worker_id, 'upload');
        return ctx.actions.putArtifact(operation_id, name, request.query, request.body as Readable);
      },
    );
  });
}

/** What a reply sends for a stored artifact: its bytes, or its file as a stream. */
function bodyOf(body: ArtifactBody): Buffer | ReadStream {
  return 'bytes' in body ? body.bytes : createReadStream(body.path);
}
