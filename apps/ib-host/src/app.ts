/**
 * The IB host service's HTTP API: `/health` (open), historical bars, contract validation and
 * head timestamps, all validated against the wire contract's schemas (so `/docs` shows them).
 */
import {
  IbContractSchema,
  IbHeadTimestampSchema,
  IbHistoricalRequestSchema,
  IbHistoricalResponseSchema,
  IbHostHealthSchema,
  IbValidateRequestSchema,
  Routes,
  type IbGatewayState,
} from '@ktrdr/shared';
import {
  AppError,
  bearerAuthenticator,
  createServer,
  errorResponses,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { ContractResolver } from './contracts/contract-resolver.js';
import type { HistoricalService } from './historical/historical-service.js';

/** What the HTTP API serves from. */
export interface IbHostAppDeps {
  token: string;
  version: string;
  gatewayState: () => IbGatewayState;
  historical: HistoricalService;
  contracts: ContractResolver;
  log: FastifyBaseLogger;
}

/**
 * Runs `work` with an abort signal that fires when the HTTP caller goes away before its
 * answer is sent (the backend cancelled its download), so what is queued or in flight for
 * it stops. Such a call then ends quietly: nobody is left to read an error.
 */
async function untilCallerGone<T>(
  reply: FastifyReply,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort(new Error('the HTTP caller went away'));
  };
  reply.raw.once('close', onClose);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    reply.log.debug('the caller went away; its IB requests were abandoned');
    // 499 (as nginx logs a closed request): below 500, so the error handler logs nothing
    throw new AppError('INTERNAL_ERROR', 'the caller went away', undefined, 499);
  } finally {
    reply.raw.off('close', onClose);
  }
}

/** Builds the API (routes registered, not listening). */
export async function buildIbHostApp(deps: IbHostAppDeps): Promise<TypedServer> {
  const app = await createServer({
    title: 'ktrdr IB host service',
    version: deps.version,
    description:
      'Owns the link to IB Gateway/TWS and serves historical data, paced by IB’s rules. Every route but /health needs the bearer token.',
    authenticate: bearerAuthenticator(() => deps.token),
    logger: deps.log,
  });
  const tags = ['ib'];

  app.get(
    Routes.health,
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Whether the gateway is connected, its server version and the last error (no token needed)',
        response: { 200: IbHostHealthSchema },
      },
    },
    async () => ({
      status: 'ok' as const,
      service: 'ib-host' as const,
      version: deps.version,
      gateway: deps.gatewayState(),
    }),
  );

  app.post(
    Routes.ibHost.historical,
    {
      schema: {
        tags,
        summary:
          'Bars of a range: split into the requests IB accepts, paced, merged; the bar still forming is left out',
        body: IbHistoricalRequestSchema,
        response: { 200: IbHistoricalResponseSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) =>
      untilCallerGone(reply, (signal) => deps.historical.fetch(request.body, signal)),
  );

  app.post(
    Routes.ibHost.validate,
    {
      schema: {
        tags,
        summary: 'Contract details of a symbol; an unknown one is a 400 naming it',
        body: IbValidateRequestSchema,
        response: { 200: IbContractSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) =>
      untilCallerGone(reply, (signal) =>
        deps.contracts.validate(request.body.symbol, request.body.instrument_type, signal),
      ),
  );

  app.get(
    Routes.ibHost.headTimestamp,
    {
      schema: {
        tags,
        summary: 'The earliest data IB has for a symbol',
        querystring: IbValidateRequestSchema,
        response: { 200: IbHeadTimestampSchema, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) =>
      untilCallerGone(reply, (signal) =>
        deps.contracts.headTimestamp(request.query.symbol, request.query.instrument_type, signal),
      ),
  );

  return app;
}
