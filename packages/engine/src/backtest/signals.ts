import type { Condition, IndicatorSpec, RulesStrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import type { IndicatorCache } from '../indicators/cache.js';
import type { Allocate } from '../indicators/kernels.js';
import { INDICATORS, nameOutputs, param } from '../indicators/registry.js';
import { smaRelation, type RelationRuns } from '../indicators/sma-relation.js';
import { conditionFlags, type Operands } from './condition-flags.js';
import { borrowFlags, returnFlags, SeriesLoan } from './scratch.js';

/** Entry and exit flags per bar, decided at each bar's close. */
export interface SignalSet {
  entryLong: Uint8Array;
  exitLong: Uint8Array;
  entryShort: Uint8Array;
  exitShort: Uint8Array;
  /** Bars before the slowest indicator is stable. */
  warmup: number;
}

type Series = Float64Array;

/**
 * Every indicator output of a strategy over `bars`, keyed as conditions name them, plus the
 * price fields. With a `cache` (built over these same bars), each distinct indicator is
 * computed once across calls; the values are the same either way.
 */
export function computeOperands(
  indicators: RulesStrategyConfig['indicators'],
  bars: Bars,
  cache?: IndicatorCache,
): Map<string, Series> {
  if (cache && cache.bars !== bars) {
    throw new Error('the indicator cache was built over other bars than the ones given');
  }
  const named = new Map<string, Series>([
    ['open', bars.open],
    ['high', bars.high],
    ['low', bars.low],
    ['close', bars.close],
    ['volume', bars.volume],
  ]);
  for (const [name, spec] of Object.entries(indicators)) {
    const computed = cache ? cache.outputs(spec) : INDICATORS[spec.type].compute(spec, bars);
    for (const [key, series] of nameOutputs(name, spec, computed)) named.set(key, series);
  }
  return named;
}

const PRICES = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * A strategy's operands, each indicator computed when a condition first reads it. Two
 * SMAs compared with each other are not computed at all: their relation on every bar
 * comes from running sums ({@link smaRelation}), the same flags as comparing the exact
 * series, at O(1) a bar instead of O(period).
 */
class StrategyOperands implements Operands {
  readonly #named = new Map<string, Float64Array>();
  /** Operand name → its indicator's name in the strategy, for those not computed yet. */
  readonly #pending = new Map<string, string>();
  readonly #relations = new Map<string, RelationRuns>();

  constructor(
    readonly indicators: RulesStrategyConfig['indicators'],
    readonly bars: Bars,
    /** Where the indicator series come from (fresh arrays unless given). */
    readonly alloc?: Allocate,
  ) {
    for (const price of PRICES) this.#named.set(price, bars[price]);
    for (const [name, spec] of Object.entries(indicators)) {
      this.#pending.set(name, name);
      for (const output of INDICATORS[spec.type].outputs)
        this.#pending.set(`${name}.${output}`, name);
    }
  }

  get(operand: string): Float64Array | undefined {
    const indicator = this.#pending.get(operand);
    if (indicator !== undefined) {
      const spec = this.indicators[indicator] as IndicatorSpec;
      const computed = INDICATORS[spec.type].compute(spec, this.bars, this.alloc);
      for (const [key, series] of nameOutputs(indicator, spec, computed)) {
        this.#named.set(key, series);
        this.#pending.delete(key);
      }
    }
    return this.#named.get(operand);
  }

  relation(left: string, right: string): RelationRuns | undefined {
    const a = this.#uncomputedSma(left);
    const b = this.#uncomputedSma(right);
    if (!a || !b) return undefined;
    const key = `${left}\u0000${right}`;
    let runs = this.#relations.get(key);
    if (!runs) {
      runs = smaRelation(
        this.bars[a.source ?? 'close'],
        param(a, 'period'),
        this.bars[b.source ?? 'close'],
        param(b, 'period'),
      );
      if (!runs) return undefined;
      this.#relations.set(key, runs);
    }
    return runs;
  }

  /** The spec of an SMA operand whose exact series nobody has needed yet. */
  #uncomputedSma(operand: string): IndicatorSpec | undefined {
    const indicator = this.#pending.get(operand);
    const spec = indicator === undefined ? undefined : this.indicators[indicator];
    return spec?.type === 'sma' ? spec : undefined;
  }
}

/**
 * Computes every indicator of the strategy and evaluates its conditions into per-bar
 * flags. Each flag at bar `i` uses only data up to bar `i`'s close, because every
 * indicator streams forward; the engine acts on it at bar `i + 1`'s open. A sweep passes
 * one `cache` for all its parameter sets over the same bars (see {@link computeOperands}).
 */
export function computeSignals(
  strategy: RulesStrategyConfig,
  bars: Bars,
  cache?: IndicatorCache,
): SignalSet {
  // with a cache (a sweep's sets share each distinct indicator) the exact series are
  // computed once and compared; a lone run computes only what its conditions need, into
  // lent series (garbage once the flags are set: only the flags are returned)
  const series = cache ? undefined : new SeriesLoan();
  const named = series
    ? new StrategyOperands(strategy.indicators, bars, series.take)
    : computeOperands(strategy.indicators, bars, cache);
  const n = bars.time.length;
  const none = new Uint8Array(n);
  const flag = (cond: Condition | undefined) => (cond ? conditionFlags(cond, named, n) : none);
  try {
    return {
      entryLong: flag(strategy.entry.long),
      exitLong: flag(strategy.exit?.long),
      entryShort: flag(strategy.entry.short),
      exitShort: flag(strategy.exit?.short),
      warmup: warmupOf(strategy),
    };
  } finally {
    series?.giveBack();
  }
}

/** Bars before the slowest indicator of the strategy is stable. */
function warmupOf(strategy: RulesStrategyConfig): number {
  return Object.values(strategy.indicators).reduce(
    (max, spec) => Math.max(max, INDICATORS[spec.type].warmup(spec)),
    0,
  );
}

/** Flag buffers a combinator folds through, lent to {@link lendSignals} (deeper ones are made). */
const LENT_DEPTHS = 2;

/**
 * {@link computeSignals} for a run that reads the flags only while it runs: the flags are
 * lent buffers (./scratch.ts), to be handed back with `giveBack` when the run is done.
 * Without a `cache` the indicator series are lent too and handed back before this returns
 * (the flags are all that is read of them); with one (a sweep's sets), they are the
 * cache's. The same flags: every one is written, whatever the buffers held. A lone run's
 * indicators and flags are megabytes that would otherwise be first-touched and collected
 * anew on every run; a sweep's sets would allocate two flag arrays each (on the 408-bar
 * slice, an eighth of a set's signals).
 */
export function lendSignals(
  strategy: RulesStrategyConfig,
  bars: Bars,
  cache?: IndicatorCache,
): { signals: SignalSet; giveBack: () => void } {
  const n = bars.time.length;
  const series = cache ? undefined : new SeriesLoan();
  const named: Operands = series
    ? new StrategyOperands(strategy.indicators, bars, series.take)
    : computeOperands(strategy.indicators, bars, cache);
  const lent: [string, Uint8Array][] = [];
  const borrow = (name: string) => {
    const buffer = borrowFlags(name, n);
    lent.push([name, buffer]);
    return buffer;
  };
  const scratch = Array.from({ length: LENT_DEPTHS }, (_, depth) => borrow(`fold ${depth}`));
  const flags = (name: string, cond: Condition | undefined) => {
    const out = borrow(name);
    return cond ? conditionFlags(cond, named, n, out, scratch) : out.fill(0);
  };
  let signals: SignalSet;
  try {
    signals = {
      entryLong: flags('entry long', strategy.entry.long),
      exitLong: flags('exit long', strategy.exit?.long),
      entryShort: flags('entry short', strategy.entry.short),
      exitShort: flags('exit short', strategy.exit?.short),
      warmup: warmupOf(strategy),
    };
  } finally {
    series?.giveBack();
  }
  let given = false;
  return {
    signals,
    giveBack: () => {
      if (given) return;
      given = true;
      for (const [name, buffer] of lent) returnFlags(name, buffer);
    },
  };
}
