import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CsvFormatError, parseBarsCsv, type Bars } from '@ktrdr/engine/data';
import {
  BARS_BINARY_MEDIA_TYPE,
  encodeBarsBinary,
  ColumnarBarsSchema,
  DataImportQuerySchema,
  DataImportResponseSchema,
  parseDateInput,
  Routes,
  SeriesListSchema,
  SeriesParamsSchema,
  SeriesQuerySchema,
} from '@ktrdr/shared';
import {
  errorResponses,
  NotFoundError,
  rawReply,
  ValidationError,
  type TypedServer,
} from '@ktrdr/server-kit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { readsSeries } from '../auth/worker-scope.js';
import type { BackendContext } from '../context.js';

const gzipAsync = promisify(gzip);

function rangeBound(field: 'start' | 'end', value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = parseDateInput(value);
  if (ms === undefined) {
    throw new ValidationError(
      `query.${field}`,
      `"${value}" is not a date; use YYYY-MM-DD or an ISO-8601 timestamp`,
    );
  }
  return ms;
}

/** A range's body, rendered on demand in each form a client asked for. */
interface CachedBody {
  bars: Bars;
  json?: string;
  gzip?: Buffer;
  binary?: Uint8Array;
}

/** Bodies of recent range requests by ETag: workers ask for the same ranges again and again. */
class BodyCache {
  private readonly entries = new Map<string, CachedBody>();
  constructor(private readonly capacity = 32) {}
  get(etag: string) {
    const entry = this.entries.get(etag);
    if (entry) {
      this.entries.delete(etag);
      this.entries.set(etag, entry);
    }
    return entry;
  }
  set(etag: string, entry: CachedBody) {
    this.entries.set(etag, entry);
    if (this.entries.size > this.capacity)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Market data: the list of series, bars in columnar JSON (ETag, gzip), CSV import. */
export function dataRoutes(app: TypedServer, ctx: BackendContext): void {
  const tags = ['data'];
  const bodies = new BodyCache();
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
      config: { access: ['worker'] },
      schema: {
        tags,
        summary:
          'Bars of a series in [start, end], columnar JSON (resampled from a finer stored timeframe when needed); honours If-None-Match and gzip',
        params: SeriesParamsSchema,
        querystring: SeriesQuerySchema,
        response: { 200: ColumnarBarsSchema, ...errorResponses(400, 404) },
      },
    },
    async (request, typedReply) => {
      const reply = rawReply(typedReply);
      const { symbol, timeframe } = request.params;
      ctx.scope.needs(request, `the series ${symbol} ${timeframe}`, readsSeries(symbol, timeframe));
      const start = rangeBound('start', request.query.start);
      const end = rangeBound('end', request.query.end);
      if (start !== undefined && end !== undefined && end < start)
        throw new ValidationError('query.end', 'is before start');
      const resolved = ctx.series.resolve(symbol, timeframe);
      if (!resolved) throw new NotFoundError('series', `${symbol}/${timeframe}`);
      const binary = String(request.headers.accept ?? '').includes(BARS_BINARY_MEDIA_TYPE);
      const key = createHash('sha1')
        .update(`${resolved.etag}:${start ?? ''}:${end ?? ''}`)
        .digest('hex')
        .slice(0, 20);
      const etag = `"${key}${binary ? '-b' : ''}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'private, max-age=0, must-revalidate')
        .header('vary', 'accept, accept-encoding');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      let body = bodies.get(key);
      if (!body) {
        body = { bars: ctx.series.range(symbol, timeframe, start, end)! };
        bodies.set(key, body);
      }
      ctx.metrics.countSeriesDownload(symbol, timeframe);
      if (binary) {
        body.binary ??= encodeBarsBinary(body.bars);
        return reply
          .type(BARS_BINARY_MEDIA_TYPE)
          .send(Buffer.from(body.binary.buffer, body.binary.byteOffset, body.binary.byteLength));
      }
      body.json ??= ctx.series.columnarJson(body.bars);
      reply.type('application/json');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        // level 1: three times faster than the default for a few percent more bytes
        body.gzip ??= await gzipAsync(body.json, { level: 1 });
        return reply.header('content-encoding', 'gzip').send(body.gzip);
      }
      return reply.send(body.json);
    },
  );

  // CSV arrives as text: parse nothing else here, and allow large files
  void app.register(async (untyped) => {
    const scope = untyped.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(
      ['text/csv', 'text/plain', 'application/csv'],
      { parseAs: 'string', bodyLimit: 1024 ** 3 },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      Routes.backend.dataImport,
      {
        bodyLimit: 1024 ** 3,
        schema: {
          tags,
          summary:
            'Import OHLCV bars from a CSV body (header with date or timestamp, open, high, low, close, volume); a bad file is rejected whole, naming its line',
          querystring: DataImportQuerySchema,
          response: { 201: DataImportResponseSchema, ...errorResponses(400, 413) },
        },
      },
      async (request, reply) => {
        const { symbol, timeframe, mode = 'merge' } = request.query;
        if (typeof request.body !== 'string' || request.body.trim() === '') {
          throw new ValidationError(
            'body',
            'is empty; send the CSV file as the body with content-type text/csv',
          );
        }
        let bars;
        try {
          bars = parseBarsCsv(request.body, symbol, timeframe);
        } catch (error) {
          if (error instanceof CsvFormatError) {
            throw new ValidationError('body', error.message, {
              row: error.row,
              column: error.column,
            });
          }
          throw error;
        }
        const stored = ctx.series.put(bars, mode);
        return reply.code(201).send({ ...stored, mode });
      },
    );
  });
}
