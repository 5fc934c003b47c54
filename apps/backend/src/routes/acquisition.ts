import {
  dataLoadKind,
  IbContractSchema,
  IbStatusSchema,
  IbValidateRequestSchema,
  Routes,
  StartResponseSchema,
} from '@ktrdr/shared';
import { errorResponses, type TypedServer } from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';
import { startRouteOf } from './job-kinds.js';

/** Data downloads through the IB host service, and its state. */
export function acquisitionRoutes(app: TypedServer, ctx: BackendContext): void {
  app.post(
    startRouteOf(dataLoadKind),
    {
      schema: {
        tags: ['data'],
        summary:
          'Download bars from Interactive Brokers through the IB host service (a data_load operation with progress per chunk)',
        body: dataLoadKind.schemas.request,
        response: { 202: StartResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.acquisition.start(request.body)),
  );

  app.get(
    Routes.backend.ibStatus,
    {
      schema: {
        tags: ['data'],
        summary: "The IB host service's link to IB Gateway/TWS, or why there is none",
        response: { 200: IbStatusSchema },
      },
    },
    async () => ctx.ibGate.status(),
  );

  app.post(
    Routes.backend.ibValidate,
    {
      schema: {
        tags: ['data'],
        summary:
          'Contract details of a symbol at IB (exchange, currency, trading hours); 400 names an unknown one',
        body: IbValidateRequestSchema,
        response: { 200: IbContractSchema, ...errorResponses(400, 503) },
      },
    },
    async (request) => ctx.ibGate.validate(request.body),
  );
}
