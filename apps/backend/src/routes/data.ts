import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import {
  parseDateInput,
  Routes,
  SeriesListSchema,
  SeriesParamsSchema,
  SeriesQuerySchema,
  ColumnarBarsSchema,
} from '@ktrdr/shared';
import {
  errorResponses,
  NotFoundError,
  rawReply,
  ValidationError,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { BackendContext } from '../context.js';

const gzipAsync = promisify(gzip);

function rangeBound(field: 'start' | 'end', value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = parseDateInput(value);
  if (ms === undefined)
    throw new ValidationError(
      `query.${field}`,
      `"${value}" is not a date; use YYYY-MM-DD or an ISO-8601 timestamp`,
    );
  return ms;
}

/** Bodies of recent range requests by ETag: workers ask for the same ranges again and again. */
class BodyCache {
  private readonly entries = new Map<string, { json: string; gzip?: Buffer }>();
  constructor(private readonly capacity = 32) {}
  get(etag: string) {
    const entry = this.entries.get(etag);
    if (entry) {
      this.entries.delete(etag);
      this.entries.set(etag, entry);
    }
    return entry;
  }
  set(etag: string, entry: { json: string; gzip?: Buffer }) {
    this.entries.set(etag, entry);
    if (this.entries.size > this.capacity)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Market data: the list of series and bars in columnar JSON (ETag, gzip). */
export function dataRoutes(app: TypedServer, ctx: BackendContext): void {
  const bodies = new BodyCache();
  const tags = ['data'];
  app.get(
    Routes.backend.data,
    { schema: { tags, summary: 'Stored series', response: { 200: SeriesListSchema } } },
    async () => ({
      series: ctx.series.list(),
    }),
  );

  app.get(
    Routes.backend.series,
    {
      schema: {
        tags,
        summary: 'Bars of a series in [start, end], columnar JSON; honours If-None-Match and gzip',
        params: SeriesParamsSchema,
        querystring: SeriesQuerySchema,
        response: { 200: ColumnarBarsSchema, ...errorResponses(400, 404) },
      },
    },
    async (request, typedReply) => {
      const reply = rawReply(typedReply);
      const { symbol, timeframe } = request.params;
      const start = rangeBound('start', request.query.start);
      const end = rangeBound('end', request.query.end);
      if (start !== undefined && end !== undefined && end < start) {
        throw new ValidationError('query.end', 'is before start');
      }
      const stored = ctx.series.get(symbol, timeframe);
      if (!stored) throw new NotFoundError('series', `${symbol}/${timeframe}`);
      const etag = `"${createHash('sha1')
        .update(`${stored.etag}:${start ?? ''}:${end ?? ''}`)
        .digest('hex')
        .slice(0, 20)}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'private, max-age=0, must-revalidate')
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      let body = bodies.get(etag);
      if (!body) {
        body = { json: ctx.series.columnarJson(ctx.series.range(symbol, timeframe, start, end)!) };
        bodies.set(etag, body);
      }
      reply.type('application/json');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        body.gzip ??= await gzipAsync(body.json);
        return reply.header('content-encoding', 'gzip').send(body.gzip);
      }
      return reply.send(body.json);
    },
  );
}
