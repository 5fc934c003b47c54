import Type, { type Static } from 'typebox';
import { BacktestStartRequestSchema, SeriesRefSchema } from './backtests.js';
import { Nullable, StringEnum } from './schema-helpers.js';
import { MAX_SHARD_SETS } from './sweep-sets.js';

/** The most parameter sets any sweep may have (`KTRDR_SWEEP_MAX_SETS` may be set up to it). */
export const MAX_SWEEP_SETS = 1_000_000;
/** The default limit of parameter sets per sweep. */
export const DEFAULT_SWEEP_MAX_SETS = 100_000;

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
    samples: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SWEEP_SETS })),
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
    max_sets: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SWEEP_SETS,
        description:
          'refuse the sweep if it would run more parameter sets than this (the backend has its own limit, KTRDR_SWEEP_MAX_SETS)',
      }),
    ),
    max_children: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_SWEEP_SETS, description: 'old name of max_sets' }),
    ),
  },
  { additionalProperties: false },
);
/** See {@link SweepStartRequestSchema}. */
export type SweepStartRequest = Static<typeof SweepStartRequestSchema>;

const ParameterSetSchema = Type.Record(
  Type.String(),
  Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
);

/** Where a parameter set stands: waiting, in a running shard, or ended. */
export const SWEEP_SET_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;

/** One parameter set of a sweep and how its backtest did (a row of `GET …/sweeps/{id}/sets`). */
export const LeaderboardRowSchema = Type.Object({
  /** The set's place in the sweep's space (0-based; stable). */
  set_index: Type.Integer({ minimum: 0 }),
  /** 1 = best (per window in a walk-forward); null while the set has not completed. */
  rank: Nullable(Type.Integer()),
  parameters: ParameterSetSchema,
  /** The set's metrics, as a backtest of it reports them (null until it completed). */
  metrics: Nullable(Type.Record(Type.String(), Nullable(Type.Number()))),
  status: StringEnum(SWEEP_SET_STATUSES),
  meets_constraints: Type.Boolean(),
  error: Nullable(Type.String()),
  /** The worker that ran it. */
  worker_id: Nullable(Type.String()),
  /**
   * The full backtest of this set once opened (`POST …/sets/{i}/backtest`), or, for a
   * walk-forward's out-of-sample run, that backtest; null otherwise.
   */
  operation_id: Nullable(Type.String()),
  /** Walk-forward: the window this in-sample run belongs to (ranks count within it). */
  window: Type.Optional(Type.Integer()),
});
/** See {@link LeaderboardRowSchema}. */
export type LeaderboardRow = Static<typeof LeaderboardRowSchema>;

/** What `GET /api/v1/sweeps/{id}/sets` sorts by: any metric, or the set's index. */
export const SWEEP_SET_SORTS = [...SWEEP_OBJECTIVES, 'final_equity', 'set_index'] as const;

/** A sort by a swept parameter's value: `param:indicators.fast.period`. */
export const PARAM_SORT_PREFIX = 'param:';

/** `GET /api/v1/sweeps/{id}/sets` query. */
export const SweepSetsQuerySchema = Type.Object(
  {
    sort: Type.Optional(
      Type.Union([StringEnum(SWEEP_SET_SORTS), Type.TemplateLiteral('param:${string}')], {
        description:
          "a metric, set_index, or param:<a swept path> (numbers by value); default: the sweep's objective (its rank order, constraints first)",
      }),
    ),
    order: Type.Optional(
      StringEnum(['desc', 'asc'] as const, {
        description:
          'default: best first for the objective, descending for other metrics, ascending for a parameter',
      }),
    ),
    status: Type.Optional(StringEnum(SWEEP_SET_STATUSES)),
    meets_constraints: Type.Optional(Type.Boolean()),
    window: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
/** See {@link SweepSetsQuerySchema}. */
export type SweepSetsQuery = Static<typeof SweepSetsQuerySchema>;

/** A page of a sweep's sets. */
export const SweepSetsPageSchema = Type.Object({
  /** Sets matching the filters (all pages). */
  total: Type.Integer(),
  rows: Type.Array(LeaderboardRowSchema),
});
/** See {@link SweepSetsPageSchema}. */
export type SweepSetsPage = Static<typeof SweepSetsPageSchema>;

/**
 * `GET /api/v1/sweeps/{id}/heatmap?window=`: the objective over the first two swept paths,
 * one cell per value pair — or, when an axis has more than 60 values, per block of
 * neighbouring values (`aggregated`). Each cell is its best set, its parameters naming the
 * block's first values (`set_index` is the real set's).
 */
export const SweepHeatmapSchema = Type.Object({
  dimensions: Type.Array(Type.String()),
  aggregated: Type.Boolean(),
  /** Sets drawn (of the window). */
  sets: Type.Integer(),
  cells: Type.Array(LeaderboardRowSchema),
});
/** See {@link SweepHeatmapSchema}. */
export type SweepHeatmap = Static<typeof SweepHeatmapSchema>;

/** One shard of a running or ended sweep, for its timeline. */
export const SweepShardSchema = Type.Object({
  operation_id: Type.String(),
  status: Type.String(),
  worker_id: Nullable(Type.String()),
  sets: Type.Integer(),
  window: Type.Optional(Type.Integer()),
  started_at: Nullable(Type.String()),
  completed_at: Nullable(Type.String()),
});
/** See {@link SweepShardSchema}. */
export type SweepShard = Static<typeof SweepShardSchema>;

const Span = Type.Object({ start: Type.String(), end: Type.String() });

/** One walk-forward window: the in-sample search and its out-of-sample test. */
export const WalkForwardWindowSchema = Type.Object({
  window: Type.Integer(),
  in_sample: Span,
  out_of_sample: Span,
  /** The in-sample winner (null until every in-sample run of the window ended). */
  best_parameters: Nullable(ParameterSetSchema),
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
  /** Parameter sets (walk-forward: sets × windows), plus one out-of-sample run per window. */
  total: Type.Integer(),
  /** Sets per status (walk-forward out-of-sample runs included). */
  counts: Type.Record(Type.String(), Type.Integer()),
  /**
   * The top 50 completed sets by the objective (those meeting the constraints first; per
   * window in a walk-forward). Every set: `GET /api/v1/sweeps/{id}/sets`.
   */
  leaderboard: Type.Array(LeaderboardRowSchema),
  /** The best set (rank 1; of the last window in a walk-forward), or null. */
  best: Nullable(LeaderboardRowSchema),
  /** The swept paths, in request order (for tables and heat maps). */
  dimensions: Type.Array(Type.String()),
  /** Sets finished per second since the sweep (or its resume) started. */
  sets_per_second: Nullable(Type.Number()),
  /** The shards that ran or run the sets, oldest first (a timeline per worker). */
  shards: Type.Array(SweepShardSchema),
  walk_forward: Type.Optional(WalkForwardResultSchema),
});
/** See {@link SweepResultSchema}. */
export type SweepResult = Static<typeof SweepResultSchema>;

/** A sweep shard's job: a batch of one sweep's sets over one range, on one worker. */
export const SweepShardJobSchema = Type.Object(
  {
    task_id: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    sweep_id: Type.String(),
    /** The stored strategy version the sets' overrides apply to (fetched once per worker). */
    strategy: Type.Object({
      name: Type.String(),
      base_hash: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    }),
    data: SeriesRefSchema,
    initial_capital: Type.Number({ exclusiveMinimum: 0 }),
    commission: Type.Number({ minimum: 0 }),
    slippage: Type.Number({ minimum: 0 }),
    model_id: Type.Optional(Nullable(Type.String())),
    /** Walk-forward: the window these in-sample sets belong to. */
    window: Type.Optional(Type.Integer({ minimum: 0 })),
    /**
     * The sets still to run, as columns: `set_index[i]` takes `parameters[path][i]` for each
     * path. A failover or resume sends only the sets not yet reported.
     */
    sets: Type.Object({
      set_index: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: MAX_SHARD_SETS }),
      parameters: Type.Record(
        Type.String(),
        Type.Array(Type.Union([Type.Number(), Type.String(), Type.Boolean()]), {
          maxItems: MAX_SHARD_SETS,
        }),
      ),
    }),
    checkpoint_ref: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);
/** See {@link SweepShardJobSchema}. */
export type SweepShardJob = Static<typeof SweepShardJobSchema>;
