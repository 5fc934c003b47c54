import Type, { type Static } from 'typebox';
import { TimeframeSchema } from './enums.js';
import { DateInput, StringEnum } from './schema-helpers.js';

/** Symbols appear in URLs and file names: letters, digits and a few separators. */
export const SymbolSchema = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._^=-]*$',
  description: 'e.g. SP500, AAPL, EURUSD, ES=F',
});

/** Path parameters of `GET /api/v1/data/{symbol}/{timeframe}`. */
export const SeriesParamsSchema = Type.Object({
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
});

/** Query of `GET /api/v1/data/{symbol}/{timeframe}`: an inclusive range. */
export const SeriesQuerySchema = Type.Object(
  {
    start: Type.Optional(Type.String({ maxLength: 40 })),
    end: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
/** See {@link SeriesQuerySchema}. */
export type SeriesQuery = Static<typeof SeriesQuerySchema>;

/** Bars in columnar JSON: parallel arrays, times in epoch ms UTC, all float64. */
export const ColumnarBarsSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  time: Type.Array(Type.Number()),
  open: Type.Array(Type.Number()),
  high: Type.Array(Type.Number()),
  low: Type.Array(Type.Number()),
  close: Type.Array(Type.Number()),
  volume: Type.Array(Type.Number()),
});
/** See {@link ColumnarBarsSchema}. */
export type ColumnarBars = Static<typeof ColumnarBarsSchema>;

/** One stored series, as listed by `GET /api/v1/data`. */
export const SeriesSummarySchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  first_bar: Type.String(),
  last_bar: Type.String(),
  bar_count: Type.Integer({ minimum: 0 }),
  etag: Type.String(),
  gaps: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        'stretches without bars that are not market closures (weekends, nights, lone holidays)',
    }),
  ),
});
/** See {@link SeriesSummarySchema}. */
export type SeriesSummary = Static<typeof SeriesSummarySchema>;

/** `GET /api/v1/data` answer. */
export const SeriesListSchema = Type.Object({ series: Type.Array(SeriesSummarySchema) });
/** See {@link SeriesListSchema}. */
export type SeriesList = Static<typeof SeriesListSchema>;

/** `POST /api/v1/data/import` query: which series the CSV body holds, and how to store it. */
export const DataImportQuerySchema = Type.Object(
  {
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    mode: Type.Optional(
      StringEnum(['merge', 'replace'] as const, {
        default: 'merge',
        description:
          'merge: add to the stored bars (a bar at a stored time replaces it); replace: the file becomes the series',
      }),
    ),
  },
  { additionalProperties: false },
);
/** See {@link DataImportQuerySchema}. */
export type DataImportQuery = Static<typeof DataImportQuerySchema>;

/** The answer to an import: the series as stored now. */
export const DataImportResponseSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  first_bar: Type.String(),
  last_bar: Type.String(),
  bar_count: Type.Integer({ minimum: 0 }),
  etag: Type.String(),
  bars_written: Type.Integer({ minimum: 0, description: 'rows read from the file' }),
  mode: Type.String(),
});
/** See {@link DataImportResponseSchema}. */
export type DataImportResponse = Static<typeof DataImportResponseSchema>;

/** How a download relates to what is stored: everything, after the last bar, or before the first. */
export const DOWNLOAD_MODES = ['full', 'tail', 'backfill'] as const;
/** One of {@link DOWNLOAD_MODES}. */
export type DownloadMode = (typeof DOWNLOAD_MODES)[number];

/** Instrument kinds the IB host service can download. */
export const INSTRUMENT_TYPES = ['stock', 'forex', 'future'] as const;

/**
 * `POST /api/v1/data/download` body: a `data_load` operation that fetches bars through the
 * IB host service and merges them into the store. `mode` defaults to `tail` when the series
 * exists, else `full`.
 */
export const DataDownloadRequestSchema = Type.Object(
  {
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    start_date: DateInput,
    end_date: DateInput,
    mode: Type.Optional(StringEnum(DOWNLOAD_MODES)),
    instrument_type: Type.Optional(StringEnum(INSTRUMENT_TYPES, { default: 'stock' })),
  },
  { additionalProperties: false },
);
/** See {@link DataDownloadRequestSchema}. */
export type DataDownloadRequest = Static<typeof DataDownloadRequestSchema>;

/** A stretch without bars that is not a market closure. */
export const DataGapSchema = Type.Object({
  /** The last bar before the gap and the first after it (ISO-8601). */
  after: Type.String(),
  before: Type.String(),
  unit: StringEnum(['bars', 'weekdays'] as const, {
    description: 'bars: missing inside a trading day; weekdays: whole weekdays without a bar',
  }),
  missing: Type.Integer({ minimum: 1 }),
});
/** See {@link DataGapSchema}. */
export type DataGap = Static<typeof DataGapSchema>;

/** `GET /api/v1/operations/{id}/result` of a completed `data_load` operation. */
export const DataLoadResultSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  mode: StringEnum(DOWNLOAD_MODES),
  chunks: Type.Integer({ minimum: 0 }),
  empty_chunks: Type.Integer({ minimum: 0, description: 'chunks IB had no data for' }),
  ib_requests: Type.Integer({ minimum: 0 }),
  bars_downloaded: Type.Integer({ minimum: 0 }),
  bars_stored: Type.Integer({ minimum: 0, description: 'the whole series, after the download' }),
  first_bar: Type.Union([Type.String(), Type.Null()]),
  last_bar: Type.Union([Type.String(), Type.Null()]),
  gaps: Type.Integer({ minimum: 0, description: 'in the downloaded range' }),
  dropped_forming_bar: Type.Boolean(),
  gap_list: Type.Array(DataGapSchema),
  timings: Type.Object({
    total_ms: Type.Number({ minimum: 0 }),
    fetch_ms: Type.Number({ minimum: 0, description: 'waiting for the IB host service' }),
    store_ms: Type.Number({ minimum: 0, description: 'committing bars to the store' }),
  }),
});
/** See {@link DataLoadResultSchema}. */
export type DataLoadResult = Static<typeof DataLoadResultSchema>;
