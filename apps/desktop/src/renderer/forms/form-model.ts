import {
  BacktestStartRequestSchema,
  DataDownloadRequestSchema,
  SweepStartRequestSchema,
  type BacktestStartRequest,
  type InstrumentType,
  type StrategySummary,
  type SweepObjective,
  type Timeframe,
} from '@ktrdr/shared';

// The form model of the launch forms (backtest, training, sweep, download): each field's
// label, test id and hints, the defaults, and how form values become a request body. Field
// names are the API's, so a validation message lands beside the field it names. The API
// does the validating (its messages show as they are): the UI keeps no second set of rules.

/** What an input shows besides its value. */
export interface FieldSpec {
  label: string;
  /** `data-testid` is `<form prefix>-<testId>` (`field-start`, `sweep-start`). */
  testId: string;
  placeholder?: string;
  description?: string;
}

/** Every field of the launch forms, by its API name. */
export const FIELDS = {
  strategy_name: { label: 'Strategy', testId: 'strategy', placeholder: 'Pick a strategy' },
  symbol: { label: 'Symbol', testId: 'symbol' },
  instrument_type: { label: 'Instrument', testId: 'instrument' },
  timeframe: { label: 'Timeframe', testId: 'timeframe' },
  start_date: { label: 'Start date', testId: 'start', placeholder: 'YYYY-MM-DD' },
  end_date: { label: 'End date', testId: 'end', placeholder: 'YYYY-MM-DD' },
  initial_capital: { label: 'Initial capital', testId: 'capital' },
  commission: { label: 'Commission (fraction)', testId: 'commission' },
  slippage: { label: 'Slippage (fraction)', testId: 'slippage' },
  model_id: { label: 'Model', testId: 'model' },
  epochs: { label: 'Epochs', testId: 'epochs', placeholder: "the strategy's own" },
  seed: { label: 'Seed', testId: 'seed', placeholder: "the strategy's own" },
  parameters: {
    label: 'Parameter overrides',
    testId: 'parameters',
    placeholder: 'training.early_stopping.patience = 3',
    description:
      'one path = value per line, e.g. training.learning_rate = 0.0005; a path the strategy lacks is refused',
  },
  mode: { label: 'Mode', testId: 'mode' },
  samples: {
    label: 'Samples',
    testId: 'samples',
    description: 'how many distinct combinations to draw',
  },
  objective: { label: 'Objective', testId: 'objective', description: 'what ranks the results' },
} as const satisfies Record<string, FieldSpec>;

/** A field of {@link FIELDS}. */
export type FieldName = keyof typeof FIELDS;

/** Each field's label by its API name: the API's messages are shown with these. */
export const FIELD_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FIELDS).map(([name, spec]) => [name, spec.label]),
);

/** What a NumberInput holds: a number, or the text typed so far ('' when empty). */
export type NumberValue = number | string;

/** The number typed, or undefined when the field is blank. */
export const numberOrUndefined = (v: NumberValue): number | undefined =>
  typeof v === 'number' ? v : v.trim() === '' ? undefined : Number(v);

/** A default the contract declares (the API applies the same one to an omitted field). */
function contractDefault<T>(schema: { properties: object }, key: string): T {
  const value = (schema.properties as Record<string, { default?: unknown } | undefined>)[key]
    ?.default;
  if (value === undefined) throw new Error(`the contract declares no default for ${key}`);
  return value as T;
}

/** The data a job reads; a blank field means the strategy's own. */
export interface DataValues {
  strategy_name: string | null;
  symbol: string | null;
  timeframe: string | null;
  start_date: string;
  end_date: string;
}

/** The money of a backtest (and of each backtest of a sweep). */
export interface CostValues {
  initial_capital: NumberValue;
  commission: NumberValue;
  slippage: NumberValue;
}

/** A neuro-fuzzy strategy's trained model. */
export interface ModelValues {
  model_id: string | null;
}

/** No strategy picked yet; its defaults fill in the rest once one is. */
export const DATA_DEFAULTS: DataValues = {
  strategy_name: null,
  symbol: null,
  timeframe: null,
  start_date: '',
  end_date: '',
};

/** The contract's own defaults (100 000, 0.001, 0.0005), shown so that they can be changed. */
export const COST_DEFAULTS: CostValues = {
  initial_capital: contractDefault<number>(BacktestStartRequestSchema, 'initial_capital'),
  commission: contractDefault<number>(BacktestStartRequestSchema, 'commission'),
  slippage: contractDefault<number>(BacktestStartRequestSchema, 'slippage'),
};

/** How a sweep searches and ranks unless told otherwise. */
export const SWEEP_DEFAULTS = {
  mode: contractDefault<'grid' | 'random'>(SweepStartRequestSchema, 'mode'),
  objective: contractDefault<SweepObjective>(SweepStartRequestSchema, 'objective'),
  /** A random sweep's draw (the contract has no default: a random sweep must say). */
  samples: 20,
};

/** A download's starting choices; `auto` sends no mode (tail if stored, else full). */
export const DOWNLOAD_DEFAULTS = {
  timeframe: '1h' as Timeframe,
  instrument_type: contractDefault<InstrumentType>(DataDownloadRequestSchema, 'instrument_type'),
  mode: 'auto',
};

/** The data fields of a request: the blank ones are left out, so the strategy's own apply. */
export function dataBody(
  v: DataValues,
): Pick<
  BacktestStartRequest,
  'strategy_name' | 'symbol' | 'timeframe' | 'start_date' | 'end_date'
> {
  return {
    strategy_name: v.strategy_name ?? '',
    ...(v.symbol ? { symbol: v.symbol } : {}),
    ...(v.timeframe ? { timeframe: v.timeframe as Timeframe } : {}),
    ...(v.start_date.trim() ? { start_date: v.start_date.trim() } : {}),
    ...(v.end_date.trim() ? { end_date: v.end_date.trim() } : {}),
  };
}

/** The money fields of a request (a blank one is left out: the contract's default applies). */
export function costBody(
  v: CostValues,
): Pick<BacktestStartRequest, 'initial_capital' | 'commission' | 'slippage'> {
  return {
    initial_capital: numberOrUndefined(v.initial_capital),
    commission: numberOrUndefined(v.commission),
    slippage: numberOrUndefined(v.slippage),
  };
}

/** The strategies that run a trained model (only they show the model field). */
export const takesModel = (strategy: StrategySummary | undefined) =>
  strategy?.type === 'neuro_fuzzy';

/** The model to run, unless the picked strategy is known to take none. */
export function modelBody(
  v: ModelValues,
  strategy: StrategySummary | undefined,
): Pick<BacktestStartRequest, 'model_id'> {
  return v.model_id && (!strategy || takesModel(strategy)) ? { model_id: v.model_id } : {};
}

/** Overrides as typed (`path = value` per line), or why a line is not one. */
export type ParsedOverrides =
  | { parameters: Record<string, number | string | boolean>; error?: undefined }
  | { parameters?: undefined; error: string };

/**
 * The `parameters` of a request from one `path = value` per line (blank lines skipped):
 * numbers and true / false as such, anything else as text, as the CLI's `--param` does.
 * Only the line syntax is checked here; the API checks the paths and values.
 */
export function parseOverrides(text: string): ParsedOverrides {
  const parameters: Record<string, number | string | boolean> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    const path = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!path || /\s/.test(path))
      return { error: `line ${i + 1} ("${line}") is not path = value (e.g. training.epochs = 5)` };
    const value = line.slice(eq + 1).trim();
    parameters[path] =
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : value !== '' && Number.isFinite(Number(value))
            ? Number(value)
            : value;
  }
  return { parameters };
}
