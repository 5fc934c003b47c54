import {
  ModelDetailSchema,
  ModelDocumentSchema,
  ModelIdSchema,
  ModelListSchema,
  ModelStoredSchema,
  ModelUploadQuerySchema,
  Routes,
} from '@ktrdr/shared';
import {
  ConflictError,
  errorResponses,
  rawReply,
  ValidationError,
  type TypedServer,
} from '@ktrdr/server-kit';
import Type from 'typebox';
import { createReadStream } from 'node:fs';
import { readsModel } from '../auth/worker-scope.js';
import type { BackendContext } from '../context.js';

const ModelParams = Type.Object({ model_id: ModelIdSchema });

/** The model store: list, inspect, download, and the training worker's upload. */
export function modelRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['models'];
  app.get(
    Routes.backend.models,
    {
      schema: {
        tags,
        summary: 'Trained models, newest first',
        response: { 200: ModelListSchema },
      },
    },
    async () => ({ models: ctx.models.list() }),
  );

  app.get(
    Routes.backend.model,
    {
      schema: {
        tags,
        summary:
          'One model: metrics, lineage (strategy version, data range, seed, backend) and its inputs',
        params: ModelParams,
        response: { 200: ModelDetailSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => ctx.models.get(request.params.model_id),
  );

  app.get(
    Routes.backend.modelDownload,
    {
      config: { access: ['worker'] },
      schema: {
        tags,
        summary:
          'The model file (TensorFlow.js layers format, weights included); workers cache it by id',
        params: ModelParams,
        response: errorResponses(400, 404),
      },
    },
    async (request, reply) => {
      const { model_id } = request.params;
      ctx.scope.needs(request, `the model ${model_id}`, readsModel(model_id));
      const path = ctx.models.path(model_id);
      return rawReply(reply).type('application/json').send(createReadStream(path));
    },
  );

  app.put(
    Routes.backend.model,
    {
      bodyLimit: 512 * 1024 ** 2,
      config: { access: ['worker'] },
      schema: {
        tags,
        summary:
          'Workers only: store the model the training operation they hold made. A model id is never overwritten.',
        params: ModelParams,
        querystring: ModelUploadQuerySchema,
        body: ModelDocumentSchema,
        response: { 200: ModelStoredSchema, ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (request) => {
      const { model_id } = request.params;
      const who = request.query;
      ctx.scope.self(request, who.worker_id, 'store a model');
      const record = ctx.actions.requireHolder(who.operation_id, who.worker_id, who.attempt);
      if (!ctx.scope.scopeOf(record).writesModels.includes(model_id)) {
        throw new ValidationError(
          'model_id',
          `operation ${record.operation_id} does not make model "${model_id}"`,
        );
      }
      if (request.body.model_id !== model_id)
        throw new ValidationError(
          'model_id',
          `the document names "${request.body.model_id}", the URL "${model_id}"`,
        );
      if (record.status === 'failed' || record.status === 'cancelled')
        throw new ConflictError(
          `operation ${record.operation_id} is ${record.status}; its model is not stored`,
          {
            drop: true,
          },
        );
      return ctx.models.put(model_id, request.body, record.operation_id);
    },
  );
}
