import Type, { type Static, type TSchema } from 'typebox';
import { TimeframeSchema } from './enums.js';
import { DateInput, Nullable, StringEnum } from './schema-helpers.js';

/** Strategy names double as file names: a safe, portable alphabet only. */
export const StrategyNameSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_-]*$',
  description: 'lower-case letters, digits, _ and - (starting with a letter or digit)',
});

/** Price fields an indicator or a condition may read. */
export const PRICE_SOURCES = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Indicator kinds a strategy may declare (all computed by `trading-signals`). */
export const INDICATOR_TYPES = [
  'sma',
  'ema',
  'rsi',
  'roc',
  'atr',
  'williams_r',
  'macd',
  'bollinger',
  'adx',
  'stochastic',
] as const;
/** An indicator kind. */
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

const positiveInt = Type.Integer({ minimum: 1, maximum: 100_000 });

/**
 * One indicator of a strategy, referenced by its key in conditions and fuzzy sets
 * (`fast`, or `macd.histogram` for a named output). Which parameters each type takes is
 * checked by the engine, which names the missing or foreign one.
 */
export const IndicatorSpecSchema = Type.Object(
  {
    type: StringEnum(INDICATOR_TYPES),
    period: Type.Optional(positiveInt),
    fast: Type.Optional(positiveInt),
    slow: Type.Optional(positiveInt),
    signal: Type.Optional(positiveInt),
    stddev: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
    k_period: Type.Optional(positiveInt),
    d_period: Type.Optional(positiveInt),
    smoothing: Type.Optional(positiveInt),
    source: Type.Optional(StringEnum(PRICE_SOURCES, { default: 'close' })),
  },
  { additionalProperties: false },
);
/** See {@link IndicatorSpecSchema}. */
export type IndicatorSpec = Static<typeof IndicatorSpecSchema>;

/** An operand: an indicator (or `indicator.output`), a price field, or a constant. */
export const OperandSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 80 }),
  Type.Number(),
]);

const pair = Type.Array(OperandSchema, { minItems: 2, maxItems: 2 });

/** Comparisons between two operands, evaluated at a bar's close. */
export const COMPARISON_KEYS = [
  'crosses_above',
  'crosses_below',
  'greater_than',
  'less_than',
] as const;

const comparison = (key: (typeof COMPARISON_KEYS)[number]) =>
  Type.Object({ [key]: pair }, { additionalProperties: false });

const leaf = Type.Union(COMPARISON_KEYS.map(comparison));

function combinable<T extends TSchema>(inner: T) {
  return Type.Union([
    inner,
    Type.Object({ all: Type.Array(inner, { minItems: 1 }) }, { additionalProperties: false }),
    Type.Object({ any: Type.Array(inner, { minItems: 1 }) }, { additionalProperties: false }),
  ]);
}

/**
 * A condition: a comparison, or `all`/`any` of conditions, nested up to three levels
 * (deep enough for any rule a trader writes by hand, and free of schema recursion).
 */
export const ConditionSchema = combinable(combinable(combinable(leaf)));

/** A comparison: `{crosses_above: [a, b]}` and friends. */
export type ComparisonCondition = {
  [K in (typeof COMPARISON_KEYS)[number]]?: [string | number, string | number];
};
/** A condition tree as the engine evaluates it. */
export type Condition = ComparisonCondition | { all: Condition[] } | { any: Condition[] };

/** The series a strategy runs on by default. */
export const StrategyDataSchema = Type.Object(
  {
    symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    timeframe: Type.Optional(TimeframeSchema),
    start_date: Type.Optional(DateInput),
    end_date: Type.Optional(DateInput),
  },
  { additionalProperties: false },
);

/** How much to buy or sell when a signal fires. */
export const PositionSizingSchema = Type.Object(
  {
    sizing: StringEnum(['fraction_of_equity', 'fixed_units'] as const),
    value: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
  },
  { additionalProperties: false },
);

/** Protective exits, as fractions of the entry price (0.05 = 5 %). */
export const RiskSchema = Type.Object(
  {
    stop_loss: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    take_profit: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    leverage: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 100,
        description:
          'the notional a position may reach, as a multiple of equity (default 1: no borrowing; an entry beyond it is skipped)',
      }),
    ),
  },
  { additionalProperties: false },
);

const sideRules = Type.Object(
  { long: Type.Optional(ConditionSchema), short: Type.Optional(ConditionSchema) },
  { additionalProperties: false },
);

/**
 * Indicator (and fuzzy set) names: conditions refer to them, and engines key objects by them.
 * `additionalProperties: false` is what makes a record's key pattern hold (without it a name
 * like `Fast` or `__proto__` passes).
 */
const IndicatorNamePattern = '^[a-z][a-z0-9_]*$';

const indicatorsRecord = Type.Record(
  Type.String({ pattern: IndicatorNamePattern }),
  IndicatorSpecSchema,
  { additionalProperties: false },
);

/** A `rules` strategy: indicators and entry/exit conditions over them. */
export const RulesStrategySchema = Type.Object(
  {
    name: StrategyNameSchema,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Literal('rules'),
    data: Type.Optional(StrategyDataSchema),
    indicators: indicatorsRecord,
    entry: sideRules,
    exit: Type.Optional(sideRules),
    position: Type.Optional(PositionSizingSchema),
    risk: Type.Optional(RiskSchema),
  },
  { additionalProperties: false },
);

/** Fuzzy membership shapes. */
export const MEMBERSHIP_TYPES = ['triangular', 'trapezoid', 'gaussian'] as const;

/**
 * A fuzzy set's membership function: `triangular` [a, b, c] (a ≤ b ≤ c), `trapezoid`
 * [a, b, c, d] (a ≤ b ≤ c ≤ d), `gaussian` [mean, sigma] (sigma > 0).
 */
export const MembershipSchema = Type.Object(
  {
    type: StringEnum(MEMBERSHIP_TYPES),
    parameters: Type.Array(Type.Number(), { minItems: 2, maxItems: 4 }),
  },
  { additionalProperties: false },
);

/** The neural network of a `neuro_fuzzy` strategy. */
export const ModelSpecSchema = Type.Object(
  {
    type: Type.Literal('mlp'),
    hidden_layers: Type.Array(Type.Integer({ minimum: 1, maximum: 4096 }), {
      minItems: 1,
      maxItems: 8,
    }),
    activation: Type.Optional(
      StringEnum(['relu', 'tanh', 'sigmoid', 'elu'] as const, { default: 'relu' }),
    ),
    dropout: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    lookback: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 1 })),
  },
  { additionalProperties: false },
);

/** How a `neuro_fuzzy` strategy is trained. */
export const TrainingSpecSchema = Type.Object(
  {
    labels: Type.Object(
      {
        method: Type.Literal('zigzag'),
        threshold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
        lookahead: Type.Integer({ minimum: 1, maximum: 10_000 }),
      },
      { additionalProperties: false },
    ),
    split: Type.Optional(
      Type.Object(
        {
          train: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
          validation: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
          test: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    optimizer: Type.Optional(StringEnum(['adam', 'sgd', 'rmsprop'] as const, { default: 'adam' })),
    learning_rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })),
    epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    early_stopping: Type.Optional(
      Type.Object(
        {
          patience: Type.Integer({ minimum: 1, maximum: 1000 }),
          monitor: Type.Optional(
            StringEnum(['val_loss', 'val_accuracy'] as const, { default: 'val_loss' }),
          ),
          min_delta: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    class_weights: Type.Optional(
      StringEnum(['balanced', 'none'] as const, { default: 'balanced' }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  { additionalProperties: false },
);

/**
 * A `neuro_fuzzy` strategy: indicators → fuzzy memberships → (a lookback window of) neural
 * inputs → MLP → BUY/HOLD/SELL, acted on when its confidence passes the threshold.
 * Trained on ZigZag labels by a training worker; a backtest runs it with a stored model.
 */
export const NeuroFuzzyStrategySchema = Type.Object(
  {
    name: StrategyNameSchema,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Literal('neuro_fuzzy'),
    data: Type.Optional(StrategyDataSchema),
    indicators: indicatorsRecord,
    fuzzy_sets: Type.Record(
      Type.String({ minLength: 1, maxLength: 80 }),
      Type.Record(Type.String({ pattern: IndicatorNamePattern }), MembershipSchema, {
        additionalProperties: false,
      }),
    ),
    model: ModelSpecSchema,
    training: TrainingSpecSchema,
    decisions: Type.Object(
      {
        confidence_threshold: Type.Number({ minimum: 0, maximum: 1 }),
        allow_short: Type.Optional(Type.Boolean({ default: false })),
      },
      { additionalProperties: false },
    ),
    position: Type.Optional(PositionSizingSchema),
    risk: Type.Optional(RiskSchema),
  },
  { additionalProperties: false },
);

/** The strategy types. */
export const STRATEGY_TYPES = ['rules', 'neuro_fuzzy'] as const;

/** A validated `rules` strategy. */
export type RulesStrategyConfig = Omit<Static<typeof RulesStrategySchema>, 'entry' | 'exit'> & {
  entry: { long?: Condition; short?: Condition };
  exit?: { long?: Condition; short?: Condition };
};

/** A validated `neuro_fuzzy` strategy. */
export type NeuroFuzzyStrategyConfig = Static<typeof NeuroFuzzyStrategySchema>;

/** A validated strategy configuration of either type. */
export type StrategyConfig = RulesStrategyConfig | NeuroFuzzyStrategyConfig;

/** A strategy as listed by `GET /api/v1/strategies`. */
export const StrategySummarySchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  description: Type.String(),
  hash: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  data: StrategyDataSchema,
});
/** See {@link StrategySummarySchema}. */
export type StrategySummary = Static<typeof StrategySummarySchema>;

/** `GET /api/v1/strategies` answer. */
export const StrategyListSchema = Type.Object({ strategies: Type.Array(StrategySummarySchema) });
/** See {@link StrategyListSchema}. */
export type StrategyList = Static<typeof StrategyListSchema>;

/** `GET /api/v1/strategies/{name}` answer: the YAML as written and the parsed config. */
export const StrategyDocumentSchema = Type.Object({
  name: Type.String(),
  hash: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  yaml: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
});
/** See {@link StrategyDocumentSchema}. */
export type StrategyDocument = Static<typeof StrategyDocumentSchema>;

/**
 * `POST /api/v1/strategies/validate` answer for a valid strategy (an invalid one gets 400
 * `VALIDATION_ERROR` naming the path of each problem). Nothing is stored.
 */
export const StrategyValidationSchema = Type.Object({
  valid: Type.Literal(true),
  name: Type.String(),
  type: StringEnum(STRATEGY_TYPES),
  hash: Type.String(),
  indicators: Type.Array(Type.String()),
  stored_hash: Nullable(
    Type.String({
      description:
        'hash of the stored strategy of that name (null: none); differs from hash when saving would make a new version',
    }),
  ),
});
/** See {@link StrategyValidationSchema}. */
export type StrategyValidation = Static<typeof StrategyValidationSchema>;
