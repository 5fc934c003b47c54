import Type from 'typebox';
import { EMPTY_SCOPE, OperationIdSchema, defineJobKind } from '@ktrdr/shared';

/** `POST /api/v1/test-counts/start`: count to `n`, one step every `step_ms`. */
export const CountRequestSchema = Type.Object(
  {
    n: Type.Integer({ minimum: 1, maximum: 100_000 }),
    step_ms: Type.Integer({ minimum: 0, maximum: 10_000, default: 20 }),
    /** Save a checkpoint every this many steps. */
    checkpoint_every: Type.Integer({ minimum: 1, default: 10 }),
    /** The series the job reads (what its worker's credential may fetch). */
    symbol: Type.String({ default: 'SP500' }),
    timeframe: Type.String({ default: '1d' }),
  },
  { additionalProperties: false },
);

/** The job a worker gets. */
export const CountJobSchema = Type.Object({
  task_id: OperationIdSchema,
  attempt: Type.Integer({ minimum: 1 }),
  n: Type.Integer({ minimum: 1 }),
  step_ms: Type.Integer({ minimum: 0 }),
  checkpoint_every: Type.Integer({ minimum: 1 }),
  symbol: Type.String(),
  timeframe: Type.String(),
  checkpoint_ref: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** What a count operation shows about itself. */
export const CountMetadataSchema = Type.Object({ n: Type.Integer(), symbol: Type.String() });

/** What a finished count reports: how far, from where, and what its credential could read. */
export const CountSummarySchema = Type.Object({
  counted: Type.Integer(),
  resumed_from: Type.Integer(),
  /** Bars of its own series it fetched with the worker's credential. */
  bars_read: Type.Integer(),
  /** The HTTP status a fetch of a series it does not read got (403). */
  other_series_status: Type.Integer(),
});

/**
 * A test-only job kind: counts to N with progress, honours cancel, checkpoints every
 * `checkpoint_every` steps. It proves that a kind is one descriptor plus one handler: the
 * backend and the worker get it by injection (`startBackend(config, {jobKinds})`,
 * `KTRDR_JOB_KINDS`), and no production file names it.
 */
export const countKind = defineJobKind({
  operationType: 'test_count',
  runsOn: 'backtesting',
  startRoute: '/api/v1/test-counts/start',
  workerStartPath: '/test-counts/start',
  schemas: {
    request: CountRequestSchema,
    job: CountJobSchema,
    resultSummary: CountSummarySchema,
    metadata: CountMetadataSchema,
  },
  preferGpu: false,
  checkpoints: true,
  reads: (job) => ({
    ...EMPTY_SCOPE,
    series: [{ symbol: job.symbol, timeframe: job.timeframe }],
  }),
  prepare: (request) => ({
    job: {
      n: request.n,
      step_ms: request.step_ms,
      checkpoint_every: request.checkpoint_every,
      symbol: request.symbol,
      timeframe: request.timeframe,
    },
    metadata: { n: request.n, symbol: request.symbol },
  }),
  label: 'Count (test)',
  describe: ({ metadata }) => `count to ${metadata.n} over ${metadata.symbol}`,
});
