import Type, { type Static } from 'typebox';
import { BacktestStartRequestSchema } from './backtests.js';
import { Nullable, StringEnum } from './schema-helpers.js';

/** The metrics a sweep can rank by (all of a backtest's metrics). */
export const SWEEP_OBJECTIVES = [
  'total_return',
  'annualized_return',
  'volatility',
  'sharpe_ratio',
  'sortino_ratio',
  'calmar_ratio',
  'max_drawdown',
  'max_drawdown_duration_bars',
  'win_rate',
  'profit_factor',
  'expectancy',
  'exposure',
  'total_trades',
  'avg_win',
  'avg_loss',
  'avg_holding_bars',
] as const;
/** One of {@link SWEEP_OBJECTIVES}. */
export type SweepObjective = (typeof SWEEP_OBJECTIVES)[number];

/** Objectives where smaller is better; every other one is ranked largest first. */
export const SMALLER_IS_BETTER: readonly SweepObjective[] = [
  'volatility',
  'max_drawdown',
  'max_drawdown_duration_bars',
];

/** A numeric range of a parameter: from, from + step, … up to `to` (inclusive). */
export const SweepRangeSchema = Type.Object(
  {
    from: Type.Number({ minimum: -1e12, maximum: 1e12 }),
    to: Type.Number({ minimum: -1e12, maximum: 1e12 }),
    step: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
  },
  { additionalProperties: false },
);
/** See {@link SweepRangeSchema}. */
export type SweepRange = Static<typeof SweepRangeSchema>;

const SweepValue = Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]);

/** The values one parameter takes: a list, or a range. */
export const SweepDimensionSchema = Type.Union([
  Type.Array(SweepValue, { minItems: 1, maxItems: 10_000 }),
  SweepRangeSchema,
]);

/** `POST /api/v1/sweeps/start`: a backtest request whose `parameters` is a search space. */
export const SweepStartRequestSchema = Type.Object(
  {
    ...Type.Omit(BacktestStartRequestSchema, ['parameters']).properties,
    parameters: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), SweepDimensionSchema, {
      minProperties: 1,
      maxProperties: 20,
      description:
        'the search space by strategy path: a list of values or {from, to, step}, e.g. {"indicators.fast.period": [5, 10, 20], "indicators.slow.period": {"from": 30, "to": 200, "step": 10}}',
    }),
    mode: Type.Optional(
      StringEnum(['grid', 'random'] as const, {
        default: 'grid',
        description: 'grid: every combination; random: `samples` distinct combinations',
      }),
    ),
    samples: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    objective: Type.Optional(
      StringEnum(SWEEP_OBJECTIVES, { default: 'sharpe_ratio', description: 'what ranks the rows' }),
    ),
    constraints: Type.Optional(
      Type.Record(
        StringEnum(SWEEP_OBJECTIVES),
        Type.Object(
          { min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) },
          { additionalProperties: false },
        ),
        {
          description:
            'rows outside these bounds rank after every row inside them, e.g. {"total_trades": {"min": 10}}',
        },
      ),
    ),
    walk_forward: Type.Optional(
      Type.Object(
        {
          in_sample_bars: Type.Integer({ minimum: 20, maximum: 1_000_000 }),
          out_of_sample_bars: Type.Integer({ minimum: 5, maximum: 1_000_000 }),
        },
        {
          additionalProperties: false,
          description:
            'walk-forward: the range is cut into rolling windows; each in-sample window runs the whole search, and its best set is backtested on the out-of-sample bars that follow; the out-of-sample results are stitched into one equity curve',
        },
      ),
    ),
    max_children: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'refuse the sweep if it would make more backtests than this',
      }),
    ),
  },
  { additionalProperties: false },
);
/** See {@link SweepStartRequestSchema}. */
export type SweepStartRequest = Static<typeof SweepStartRequestSchema>;

/** One parameter set of a sweep and how its backtest did. */
export const LeaderboardRowSchema = Type.Object({
  /** 1 = best; null while its backtest has not completed. */
  rank: Nullable(Type.Integer()),
  parameters: Type.Record(
    Type.String(),
    Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  ),
  /** The backtest's metrics (null until it completed). */
  metrics: Nullable(Type.Record(Type.String(), Nullable(Type.Number()))),
  operation_id: Type.String(),
  status: Type.String(),
  meets_constraints: Type.Boolean(),
  error: Nullable(Type.String()),
  /** Walk-forward: the window this in-sample run belongs to (ranks count within it). */
  window: Type.Optional(Type.Integer()),
});
/** See {@link LeaderboardRowSchema}. */
export type LeaderboardRow = Static<typeof LeaderboardRowSchema>;

const Span = Type.Object({ start: Type.String(), end: Type.String() });

/** One walk-forward window: the in-sample search and its out-of-sample test. */
export const WalkForwardWindowSchema = Type.Object({
  window: Type.Integer(),
  in_sample: Span,
  out_of_sample: Span,
  /** The in-sample winner (null until every in-sample run of the window ended). */
  best_parameters: Nullable(
    Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  ),
  in_sample_value: Nullable(Type.Number()),
  out_of_sample_operation_id: Nullable(Type.String()),
  out_of_sample_status: Nullable(Type.String()),
  out_of_sample_metrics: Nullable(Type.Record(Type.String(), Nullable(Type.Number()))),
});

/** The out-of-sample story of a walk-forward sweep. */
export const WalkForwardResultSchema = Type.Object({
  in_sample_bars: Type.Integer(),
  out_of_sample_bars: Type.Integer(),
  windows: Type.Array(WalkForwardWindowSchema),
  /** The out-of-sample equity curves chained end to start (once the sweep completed). */
  equity_curve: Type.Array(Type.Object({ time: Type.Number(), equity: Type.Number() })),
  /** Figures of the stitched curve: total_return, max_drawdown (fractions); null until it completed. */
  metrics: Nullable(Type.Record(Type.String(), Type.Number())),
});
/** See {@link WalkForwardResultSchema}. */
export type WalkForwardResult = Static<typeof WalkForwardResultSchema>;

/** `GET /api/v1/operations/{id}/result` of a sweep (live while it runs). */
export const SweepResultSchema = Type.Object({
  objective: Type.String(),
  direction: StringEnum(['max', 'min'] as const),
  total: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer()),
  /** Every parameter set, completed ones ranked by the objective (best first), then the rest. */
  leaderboard: Type.Array(LeaderboardRowSchema),
  /** The swept paths, in request order (for tables and heat maps). */
  dimensions: Type.Array(Type.String()),
  walk_forward: Type.Optional(WalkForwardResultSchema),
});
/** See {@link SweepResultSchema}. */
export type SweepResult = Static<typeof SweepResultSchema>;
