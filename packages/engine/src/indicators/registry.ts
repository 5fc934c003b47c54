import type { IndicatorSpec, IndicatorType } from '@ktrdr/shared';
import {
  ADX,
  ATR,
  BollingerBands,
  EMA,
  MACD,
  ROC,
  RSI,
  SMA,
  StochasticOscillator,
  WilliamsR,
} from 'trading-signals';
import type { Bars } from '../data/bars.js';
import {
  type Allocate,
  atrKernel,
  bollingerKernel,
  emaKernel,
  macdKernel,
  rocKernel,
  rsiKernel,
  smaKernel,
  stochasticKernel,
  williamsRKernel,
} from './kernels.js';
import { windowMeanAt } from './window-sums.js';

/** The numeric parameters an indicator may take. */
export type IndicatorParam =
  'period' | 'fast' | 'slow' | 'signal' | 'stddev' | 'k_period' | 'd_period' | 'smoothing';

interface ParamRule {
  required: boolean;
  integer: boolean;
  min: number;
  fallback?: number;
}

/** How one kind of indicator is declared, validated and computed. */
export interface IndicatorDefinition {
  /** Its parameters and their rules. */
  params: Partial<Record<IndicatorParam, ParamRule>>;
  /** Whether `source` (the price field it reads) may be set. */
  takesSource: boolean;
  /** Named outputs; the first is also what the bare indicator name refers to. */
  outputs: readonly string[];
  /** Extra consistency checks (e.g. fast < slow), as messages keyed by parameter. */
  check?: (spec: IndicatorSpec) => { param: string; message: string }[];
  /** Bars before the slowest output is stable. */
  warmup: (spec: IndicatorSpec) => number;
  /**
   * One Float64Array per output, `NaN` until that output is stable: a batch kernel
   * (./kernels.ts) where there is one, equal to {@link IndicatorDefinition.reference}.
   * With `alloc`, the outputs of the simplest kernels (SMA, EMA, RSI, ROC, Bollinger) are
   * arrays it lends; the others' are fresh either way.
   */
  compute: (spec: IndicatorSpec, bars: Bars, alloc?: Allocate) => Record<string, Float64Array>;
  /** The same outputs from `trading-signals`' streaming classes: what `compute` must equal. */
  reference: (spec: IndicatorSpec, bars: Bars) => Record<string, Float64Array>;
  /**
   * Each output's value at bar `i` alone, equal to `compute`'s at `i`: for an indicator
   * whose value is a function of one window (SMA), so a chart that reads a few bars of a
   * long run need not compute the whole series.
   */
  at?: (spec: IndicatorSpec, bars: Bars, i: number) => Record<string, number>;
}

const int = (min = 1, fallback?: number): ParamRule => ({
  required: fallback === undefined,
  integer: true,
  min,
  ...(fallback !== undefined ? { fallback } : {}),
});

/** A parameter's value, with its default when it has one. */
export function param(spec: IndicatorSpec, name: IndicatorParam): number {
  const rule = INDICATORS[spec.type].params[name];
  const value = spec[name] ?? rule?.fallback;
  if (value === undefined) throw new Error(`indicator ${spec.type} needs "${name}"`);
  return value;
}

function nanSeries(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

interface Streaming<R> {
  add(input: never): unknown;
  getResult(): R | null;
  readonly isStable: boolean;
}

/** Streams a single-output indicator over one price column. */
function overPrices(
  spec: IndicatorSpec,
  bars: Bars,
  make: () => Streaming<number>,
): Record<string, Float64Array> {
  const input = bars[spec.source ?? 'close'];
  const out = nanSeries(input.length);
  const indicator = make() as unknown as {
    add(v: number): unknown;
    getResult(): number | null;
    isStable: boolean;
  };
  for (let i = 0; i < input.length; i++) {
    indicator.add(input[i] as number);
    if (indicator.isStable) out[i] = indicator.getResult() ?? Number.NaN;
  }
  return { value: out };
}

/** Streams a single-output indicator over high/low/close candles. */
function overCandles(bars: Bars, make: () => Streaming<number>): Record<string, Float64Array> {
  const n = bars.time.length;
  const out = nanSeries(n);
  const indicator = make() as unknown as {
    add(c: { high: number; low: number; close: number }): unknown;
    getResult(): number | null;
    isStable: boolean;
  };
  for (let i = 0; i < n; i++) {
    indicator.add({
      high: bars.high[i] as number,
      low: bars.low[i] as number,
      close: bars.close[i] as number,
    });
    if (indicator.isStable) out[i] = indicator.getResult() ?? Number.NaN;
  }
  return { value: out };
}

const source = (s: IndicatorSpec, bars: Bars) => bars[s.source ?? 'close'];

/**
 * Every indicator a strategy may use, with `trading-signals` as the reference (streaming,
 * so the value at bar i depends on bars 0..i only) and, for all but ADX, a batch kernel
 * that equals it bit for bit and runs many times faster. Outputs are `NaN` during warm-up,
 * so no condition can fire before an indicator is stable.
 */
export const INDICATORS: Record<IndicatorType, IndicatorDefinition> = {
  sma: {
    params: { period: int() },
    takesSource: true,
    outputs: ['value'],
    warmup: (s) => param(s, 'period'),
    compute: (s, bars, alloc) => ({ value: smaKernel(source(s, bars), param(s, 'period'), alloc) }),
    reference: (s, bars) => overPrices(s, bars, () => new SMA(param(s, 'period'))),
    at: (s, bars, i) => ({ value: windowMeanAt(source(s, bars), param(s, 'period'), i) }),
  },
  ema: {
    params: { period: int() },
    takesSource: true,
    outputs: ['value'],
    warmup: (s) => param(s, 'period'),
    compute: (s, bars, alloc) => ({ value: emaKernel(source(s, bars), param(s, 'period'), alloc) }),
    reference: (s, bars) => overPrices(s, bars, () => new EMA(param(s, 'period'))),
  },
  rsi: {
    params: { period: int() },
    takesSource: true,
    outputs: ['value'],
    warmup: (s) => param(s, 'period') + 1,
    compute: (s, bars, alloc) => ({ value: rsiKernel(source(s, bars), param(s, 'period'), alloc) }),
    reference: (s, bars) => overPrices(s, bars, () => new RSI(param(s, 'period'))),
  },
  roc: {
    params: { period: int() },
    takesSource: true,
    outputs: ['value'],
    warmup: (s) => param(s, 'period') + 1,
    compute: (s, bars, alloc) => ({ value: rocKernel(source(s, bars), param(s, 'period'), alloc) }),
    reference: (s, bars) => overPrices(s, bars, () => new ROC(param(s, 'period'))),
  },
  atr: {
    params: { period: int() },
    takesSource: false,
    outputs: ['value'],
    warmup: (s) => param(s, 'period'),
    compute: (s, bars) => ({
      value: atrKernel(bars.high, bars.low, bars.close, param(s, 'period')),
    }),
    reference: (s, bars) => overCandles(bars, () => new ATR(param(s, 'period'))),
  },
  williams_r: {
    params: { period: int() },
    takesSource: false,
    outputs: ['value'],
    warmup: (s) => param(s, 'period'),
    compute: (s, bars) => ({
      value: williamsRKernel(bars.high, bars.low, bars.close, param(s, 'period')),
    }),
    reference: (s, bars) => overCandles(bars, () => new WilliamsR(param(s, 'period'))),
  },
  macd: {
    params: { fast: int(1, 12), slow: int(2, 26), signal: int(1, 9) },
    takesSource: true,
    outputs: ['line', 'signal', 'histogram'],
    check: (s) =>
      param(s, 'fast') >= param(s, 'slow')
        ? [{ param: 'fast', message: `must be below slow (${param(s, 'slow')})` }]
        : [],
    warmup: (s) => param(s, 'slow') + param(s, 'signal') - 1,
    compute: (s, bars) =>
      macdKernel(source(s, bars), param(s, 'fast'), param(s, 'slow'), param(s, 'signal')),
    reference: (s, bars) => {
      const input = bars[s.source ?? 'close'];
      const n = input.length;
      const line = nanSeries(n);
      const signal = nanSeries(n);
      const histogram = nanSeries(n);
      const macd = new MACD(
        new EMA(param(s, 'fast')),
        new EMA(param(s, 'slow')),
        new EMA(param(s, 'signal')),
      );
      for (let i = 0; i < n; i++) {
        const r = macd.add(input[i] as number);
        if (!r) continue;
        line[i] = r.macd;
        // the signal line is an EMA of the MACD line: stable only after its own period
        if (macd.signal.isStable) {
          signal[i] = r.signal;
          histogram[i] = r.histogram;
        }
      }
      return { line, signal, histogram };
    },
  },
  bollinger: {
    params: {
      period: int(2, 20),
      stddev: { required: false, integer: false, min: 0.01, fallback: 2 },
    },
    takesSource: true,
    outputs: ['middle', 'upper', 'lower', 'width'],
    warmup: (s) => param(s, 'period'),
    compute: (s, bars, alloc) =>
      bollingerKernel(source(s, bars), param(s, 'period'), param(s, 'stddev'), alloc),
    reference: (s, bars) => {
      const input = bars[s.source ?? 'close'];
      const n = input.length;
      const [middle, upper, lower, width] = [
        nanSeries(n),
        nanSeries(n),
        nanSeries(n),
        nanSeries(n),
      ];
      const bands = new BollingerBands(param(s, 'period'), param(s, 'stddev'));
      for (let i = 0; i < n; i++) {
        const r = bands.add(input[i] as number);
        if (!r) continue;
        middle[i] = r.middle;
        upper[i] = r.upper;
        lower[i] = r.lower;
        width[i] = r.middle !== 0 ? (r.upper - r.lower) / r.middle : Number.NaN;
      }
      return { middle, upper, lower, width };
    },
  },
  adx: {
    params: { period: int(2, 14) },
    takesSource: false,
    outputs: ['value', 'plus_di', 'minus_di'],
    warmup: (s) => param(s, 'period') * 2 - 1,
    // no kernel yet: the profile of the bundled strategies does not reach it
    compute: (s, bars) => INDICATORS.adx.reference(s, bars),
    reference: (s, bars) => {
      const n = bars.time.length;
      const [value, plus, minus] = [nanSeries(n), nanSeries(n), nanSeries(n)];
      const adx = new ADX(param(s, 'period'));
      for (let i = 0; i < n; i++) {
        adx.add({
          high: bars.high[i] as number,
          low: bars.low[i] as number,
          close: bars.close[i] as number,
        });
        if (!adx.isStable) continue;
        value[i] = adx.getResult() ?? Number.NaN;
        plus[i] = typeof adx.pdi === 'number' ? adx.pdi : Number.NaN;
        minus[i] = typeof adx.mdi === 'number' ? adx.mdi : Number.NaN;
      }
      return { value, plus_di: plus, minus_di: minus };
    },
  },
  stochastic: {
    params: { k_period: int(1, 14), d_period: int(1, 3), smoothing: int(1, 1) },
    takesSource: false,
    outputs: ['k', 'd'],
    warmup: (s) => param(s, 'k_period') + param(s, 'smoothing') + param(s, 'd_period'),
    compute: (s, bars) =>
      stochasticKernel(
        bars.high,
        bars.low,
        bars.close,
        param(s, 'k_period'),
        param(s, 'd_period'),
        param(s, 'smoothing'),
      ),
    reference: (s, bars) => {
      const n = bars.time.length;
      const [k, d] = [nanSeries(n), nanSeries(n)];
      const stoch = new StochasticOscillator({
        kPeriod: param(s, 'k_period'),
        dPeriod: param(s, 'd_period'),
        kSlowingPeriod: param(s, 'smoothing'),
      });
      for (let i = 0; i < n; i++) {
        const r = stoch.add({
          high: bars.high[i] as number,
          low: bars.low[i] as number,
          close: bars.close[i] as number,
        });
        if (!r || !stoch.isStable) continue;
        k[i] = r.stochK;
        d[i] = r.stochD;
      }
      return { k, d };
    },
  },
};

/**
 * The definition of an indicator type someone wrote, or undefined when there is none. Own
 * keys only: `__proto__`, `constructor` or `toString` name no indicator.
 */
export function indicatorDefinition(type: string): IndicatorDefinition | undefined {
  return Object.hasOwn(INDICATORS, type) ? INDICATORS[type as IndicatorType] : undefined;
}

/** Names by which conditions and fuzzy sets refer to an indicator's outputs. */
export function outputNames(name: string, spec: IndicatorSpec): string[] {
  const outputs = INDICATORS[spec.type].outputs;
  return [name, ...outputs.map((o) => `${name}.${o}`)];
}

/**
 * An indicator's computed outputs keyed by the names conditions use: `fast` (the first
 * output) and `fast.<output>` for each. The arrays are the same objects, not copies.
 */
export function nameOutputs(
  name: string,
  spec: IndicatorSpec,
  computed: Readonly<Record<string, Float64Array>>,
): Map<string, Float64Array> {
  const named = new Map<string, Float64Array>();
  INDICATORS[spec.type].outputs.forEach((output, i) => {
    const series = computed[output] as Float64Array;
    if (i === 0) named.set(name, series);
    named.set(`${name}.${output}`, series);
  });
  return named;
}

/** Computes an indicator and returns its outputs keyed as {@link nameOutputs} says. */
export function computeNamedOutputs(
  name: string,
  spec: IndicatorSpec,
  bars: Bars,
): Map<string, Float64Array> {
  return nameOutputs(name, spec, INDICATORS[spec.type].compute(spec, bars));
}
