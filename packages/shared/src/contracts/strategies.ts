import Type, { type Static, type TSchema } from 'typebox';
import { TimeframeSchema } from './enums.js';
import { DateInput, StringEnum } from './schema-helpers.js';

/** Strategy names double as file names: a safe, portable alphabet only. */
export const StrategyNameSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_-]*$',
  description: 'lower-case letters, digits, _ and - (starting with a letter or digit)',
});

/** Price fields an indicator or a condition may read. */
export const PRICE_SOURCES = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Indicator kinds a rules strategy may declare. */
export const INDICATOR_TYPES = ['sma', 'ema', 'rsi'] as const;
/** An indicator kind. */
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/** One indicator of a strategy, referenced by its key in conditions. */
export const IndicatorSpecSchema = Type.Object(
  {
    type: StringEnum(INDICATOR_TYPES),
    period: Type.Integer({ minimum: 1, maximum: 100_000 }),
    source: Type.Optional(StringEnum(PRICE_SOURCES, { default: 'close' })),
  },
  { additionalProperties: false },
);
/** See {@link IndicatorSpecSchema}. */
export type IndicatorSpec = Static<typeof IndicatorSpecSchema>;

/** An operand: the name of an indicator or price field, or a constant. */
export const OperandSchema = Type.Union([
  Type.String({ minLength: 1, maxLength: 64 }),
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

const sideRules = Type.Object(
  { long: Type.Optional(ConditionSchema), short: Type.Optional(ConditionSchema) },
  { additionalProperties: false },
);

/** A `rules` strategy: indicators and entry/exit conditions over them. */
export const RulesStrategySchema = Type.Object(
  {
    name: StrategyNameSchema,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Literal('rules'),
    data: Type.Optional(StrategyDataSchema),
    indicators: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), IndicatorSpecSchema),
    entry: sideRules,
    exit: Type.Optional(sideRules),
    position: Type.Optional(PositionSizingSchema),
  },
  { additionalProperties: false },
);

/** A validated strategy configuration. */
export type StrategyConfig = Omit<Static<typeof RulesStrategySchema>, 'entry' | 'exit'> & {
  entry: { long?: Condition; short?: Condition };
  exit?: { long?: Condition; short?: Condition };
};

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
