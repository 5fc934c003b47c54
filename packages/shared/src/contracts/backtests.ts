import Type, { type Static } from 'typebox';
import { TimeframeSchema } from './enums.js';
import { OperationIdSchema } from './operations.js';
import { DateInput, JsonObject, Nullable, StringEnum } from './schema-helpers.js';
import { INDICATOR_TYPES, StrategyNameSchema } from './strategies.js';

/** Overrides of strategy values by path (backtests and training take the same). */
export const ParameterOverridesSchema = Type.Record(
  Type.String({ maxLength: 200 }),
  Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  {
    description: 'overrides of strategy values by path, e.g. {"indicators.fast.period": 10}',
  },
);

/** `POST /api/v1/backtests/start` body. Omitted data fields default to the strategy's own. */
export const BacktestStartRequestSchema = Type.Object(
  {
    strategy_name: StrategyNameSchema,
    symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    timeframe: Type.Optional(TimeframeSchema),
    start_date: Type.Optional(DateInput),
    end_date: Type.Optional(DateInput),
    initial_capital: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1e15, default: 100_000 }),
    ),
    commission: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 0.5,
        default: 0.001,
        description: 'fraction of notional',
      }),
    ),
    slippage: Type.Optional(
      Type.Number({ minimum: 0, maximum: 0.5, default: 0.0005, description: 'fraction of price' }),
    ),
    model_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    parameters: Type.Optional(ParameterOverridesSchema),
  },
  { additionalProperties: false },
);
/** See {@link BacktestStartRequestSchema}. */
export type BacktestStartRequest = Static<typeof BacktestStartRequestSchema>;

/** A reference to a series in the backend's data store, resolved by the worker over HTTP. */
export const SeriesRefSchema = Type.Object({
  symbol: Type.String(),
  timeframe: TimeframeSchema,
  start: Type.String({ description: 'ISO-8601, inclusive' }),
  end: Type.String({ description: 'ISO-8601, inclusive' }),
  etag: Nullable(Type.String()),
});
/** See {@link SeriesRefSchema}. */
export type SeriesRef = Static<typeof SeriesRefSchema>;

/** The body the backend POSTs to a backtest worker's `/backtests/start`. */
export const BacktestJobSchema = Type.Object(
  {
    /** The backend's operation id; the worker names its result files after it. */
    task_id: OperationIdSchema,
    attempt: Type.Integer({ minimum: 1 }),
    strategy: Type.Object(
      {
        name: Type.String(),
        /** The hash of what runs (overrides applied). */
        hash: Type.String(),
        /** Inline; or absent, and the worker fetches version `base_hash` once and caches it. */
        config: Type.Optional(JsonObject),
        base_hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
        /** Overrides the worker applies to the fetched version (sweeps: each child's set). */
        parameters: Type.Optional(
          Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
        ),
      },
      {
        description:
          'the strategy inline (config), or by reference (base_hash + parameters): sweeps send each worker the strategy once',
      },
    ),
    data: SeriesRefSchema,
    initial_capital: Type.Number({ exclusiveMinimum: 0 }),
    commission: Type.Number({ minimum: 0 }),
    slippage: Type.Number({ minimum: 0 }),
    model_id: Type.Optional(Nullable(Type.String())),
    checkpoint_ref: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);
/** See {@link BacktestJobSchema}. */
export type BacktestJob = Static<typeof BacktestJobSchema>;

/** Performance figures of a backtest. Returns and drawdowns are fractions (0.12 = 12 %). */
export const BacktestMetricsSchema = Type.Object({
  total_return: Type.Number(),
  annualized_return: Type.Number(),
  volatility: Type.Number(),
  sharpe_ratio: Type.Number(),
  sortino_ratio: Type.Number(),
  calmar_ratio: Nullable(Type.Number({ description: 'null when there was no drawdown' })),
  max_drawdown: Type.Number(),
  max_drawdown_duration_bars: Type.Integer(),
  win_rate: Type.Number(),
  profit_factor: Nullable(Type.Number({ description: 'null when no trade lost money' })),
  expectancy: Type.Number(),
  exposure: Type.Number(),
  total_trades: Type.Integer(),
  avg_win: Type.Number(),
  avg_loss: Type.Number(),
  avg_holding_bars: Type.Number(),
});
/** See {@link BacktestMetricsSchema}. */
export type BacktestMetrics = Static<typeof BacktestMetricsSchema>;

/** A point of the equity curve; `drawdown` is the fraction below the running peak. */
export const EquityPointSchema = Type.Object({
  time: Type.String(),
  equity: Type.Number(),
  drawdown: Type.Number(),
});
/** See {@link EquityPointSchema}. */
export type EquityPoint = Static<typeof EquityPointSchema>;

/** A round-trip trade. */
export const TradeSchema = Type.Object({
  entry_time: Type.String(),
  exit_time: Type.String(),
  side: Type.Union([Type.Literal('long'), Type.Literal('short')]),
  entry_price: Type.Number(),
  exit_price: Type.Number(),
  size: Type.Number(),
  pnl: Type.Number(),
  fees: Type.Number(),
  exit_reason: Type.Optional(
    StringEnum(['signal', 'reverse', 'stop_loss', 'take_profit', 'end_of_data', 'ruin'] as const),
  ),
  return_pct: Type.Optional(
    Type.Number({ description: 'pnl (net of fees) over the entry notional, a fraction' }),
  ),
  bars_held: Type.Optional(Type.Integer({ minimum: 0 })),
  mae: Type.Optional(
    Type.Number({
      minimum: 0,
      description: 'maximum adverse excursion, a fraction of the entry price',
    }),
  ),
  mfe: Type.Optional(
    Type.Number({
      minimum: 0,
      description: 'maximum favourable excursion, a fraction of the entry price',
    }),
  ),
});
/** See {@link TradeSchema}. */
export type Trade = Static<typeof TradeSchema>;

/**
 * One of the strategy's indicators as the result page draws it: a line per output (an
 * SMA has one, Bollinger bands three), sampled at the price chart's candles (every bar up
 * to 10,000 bars, else the value at each aggregated candle's last bar: `MAX_CANDLES`).
 * `pane` says where it belongs: `price` for those on the price's scale (moving averages,
 * bands), `separate` for oscillators (RSI, MACD, stochastic…), each in its own pane.
 */
export const IndicatorSeriesSchema = Type.Object({
  id: Type.String({ description: "the indicator's key in the strategy, e.g. fast" }),
  type: StringEnum(INDICATOR_TYPES),
  pane: StringEnum(['price', 'separate'] as const),
  lines: Type.Array(
    Type.Object({
      name: Type.String({ description: 'the output, e.g. value, upper, histogram' }),
      time: Type.Array(Type.Number(), { description: 'epoch ms UTC, as the bars' }),
      value: Type.Array(Nullable(Type.Number()), { description: 'null during warm-up' }),
    }),
  ),
});
/** See {@link IndicatorSeriesSchema}. */
export type IndicatorSeries = Static<typeof IndicatorSeriesSchema>;

/**
 * `GET /api/v1/operations/{id}/result` of a backtest: the equity curve downsampled for
 * display (≤ 5,000 shape-preserving points) and the most recent trades. The full result
 * (every bar's equity and drawdown, every trade) is a compact binary columnar artifact at
 * `…/result/full` (`application/vnd.ktrdr.full-result`: float64 columns for time, equity
 * and drawdown, a trade table of float64 columns with side and exit reason as small-int
 * codes; docs/full-result-format.md), decoded by the typed client's `fullResult(id)`;
 * `?format=json` streams it in this shape, every point and every trade.
 */
/** The parts of a model's data a model backtest's bars can fall in (docs/metrics.md, "Segments"). */
export const SEGMENT_NAMES = [
  'before_training',
  'train',
  'validation',
  'test',
  'after_training',
] as const;
/** See {@link SEGMENT_NAMES}. */
export type SegmentName = (typeof SEGMENT_NAMES)[number];

/** One segment of a model backtest: its bars and the metrics over them alone. */
export const SegmentSchema = Type.Object({
  segment: StringEnum(SEGMENT_NAMES),
  start_date: Type.String({ description: 'ISO-8601, the first bar of the segment' }),
  end_date: Type.String({ description: 'ISO-8601, the last bar of the segment' }),
  bars: Type.Integer({ minimum: 0 }),
  metrics: Type.Object({
    total_return: Type.Number(),
    sharpe_ratio: Type.Number(),
    max_drawdown: Type.Number(),
    total_trades: Type.Integer({ minimum: 0 }),
    win_rate: Type.Number(),
  }),
});
/** See {@link SegmentSchema}. */
export type Segment = Static<typeof SegmentSchema>;

export const BacktestResultSchema = Type.Object({
  metrics: BacktestMetricsSchema,
  equity_curve: Type.Array(EquityPointSchema),
  trades: Type.Array(TradeSchema),
  equity_points_total: Type.Optional(
    Type.Integer({ minimum: 0, description: 'points in the full curve' }),
  ),
  trades_total: Type.Optional(Type.Integer({ minimum: 0, description: 'trades in the full list' })),
  skipped_entries: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        'entries the cash could not pay for (notional and commission above equity × leverage), skipped',
    }),
  ),
  benchmark: Type.Optional(
    Type.Object({
      buy_and_hold_return: Type.Number({ description: 'holding the series over the same bars' }),
      excess_return: Type.Number({ description: 'total_return − buy_and_hold_return' }),
      alpha: Type.Number({ description: "annualized Jensen's alpha, risk-free rate 0" }),
      beta: Type.Number(),
    }),
  ),
  periods: Type.Optional(
    Type.Object({
      monthly: Type.Array(
        Type.Object({
          year: Type.Integer(),
          month: Type.Integer({ minimum: 1, maximum: 12 }),
          return: Type.Number(),
        }),
      ),
      yearly: Type.Array(Type.Object({ year: Type.Integer(), return: Type.Number() })),
    }),
  ),
  segments: Type.Optional(
    Type.Array(SegmentSchema, {
      description:
        "a model backtest whose range overlaps the model's training or validation periods, split by the model's data split",
    }),
  ),
  in_sample: Type.Optional(
    Type.Object({
      fraction: Type.Number({
        description: 'bars in the train and validation segments over all bars',
      }),
      message: Type.String(),
    }),
  ),
  indicators: Type.Optional(
    Type.Array(IndicatorSeriesSchema, {
      description:
        "the strategy's indicators over the run's bars, sampled as the price chart's candles (display result only)",
    }),
  ),
  ruin: Type.Optional(
    Nullable(
      Type.Object({
        time: Type.String({ description: 'the bar at which equity reached zero' }),
        message: Type.String(),
      }),
    ),
  ),
});
/** See {@link BacktestResultSchema}. */
export type BacktestResult = Static<typeof BacktestResultSchema>;

/** The artifact a worker uploads the binary full result as, served at `…/result/full`. */
export const FULL_RESULT_ARTIFACT = 'result-full.bin';

/**
 * `GET …/result/full` query: `format` picks the form served, the binary columnar artifact
 * or its JSON form (in the {@link BacktestResultSchema} shape); without it, the form stored
 * (binary; JSON for an operation stored before the binary form).
 */
export const FullResultQuerySchema = Type.Object(
  { format: Type.Optional(StringEnum(['binary', 'json'] as const)) },
  { additionalProperties: false },
);
/** See {@link FullResultQuerySchema}. */
export type FullResultQuery = Static<typeof FullResultQuerySchema>;
