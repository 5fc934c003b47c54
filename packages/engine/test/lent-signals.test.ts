import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, RulesStrategyConfig } from '@ktrdr/shared';
import {
  computeOperands,
  computeSignals,
  IndicatorCache,
  parseRulesStrategy,
  randomWalkBars,
  type Bars,
} from '../src/index.js';
import { conditionFlags } from '../src/backtest/condition-flags.js';
import { lendSignals } from '../src/backtest/signals.js';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';
import { MORE_RULES } from './golden-cases.js';
import { gridBars } from './grid-bars.js';

const STRATEGIES: RulesStrategyConfig[] = [
  ...BUNDLED_RULES.map((name) => bundledStrategy(name)),
  ...MORE_RULES.map((raw) => parseRulesStrategy(raw)),
];

const FLAGS = ['entryLong', 'exitLong', 'entryShort', 'exitShort'] as const;

/** The flags from freshly computed series: no buffer lent anywhere. */
function freshFlags(strategy: RulesStrategyConfig, bars: Bars): Record<string, Uint8Array> {
  const named = computeOperands(strategy.indicators, bars);
  const n = bars.time.length;
  const of = (cond: Condition | undefined) =>
    cond ? conditionFlags(cond, named, n) : new Uint8Array(n);
  return {
    entryLong: of(strategy.entry.long),
    exitLong: of(strategy.exit?.long),
    entryShort: of(strategy.entry.short),
    exitShort: of(strategy.exit?.short),
  };
}

function assertSameAsComputed(
  strategy: RulesStrategyConfig,
  bars: Bars,
  label: string,
  cache: IndicatorCache,
): void {
  const fresh = freshFlags(strategy, bars);
  const expected = computeSignals(strategy, bars);
  const { signals, giveBack } = lendSignals(strategy, bars);
  // a sweep's set: the series from the shared cache, the flags lent
  const shared = lendSignals(strategy, bars, cache);
  for (const flag of FLAGS) {
    assert.deepEqual(expected[flag], fresh[flag], `${label}, ${strategy.name}: ${flag} (computed)`);
    assert.deepEqual(signals[flag], fresh[flag], `${label}, ${strategy.name}: ${flag} (lent)`);
    assert.deepEqual(
      shared.signals[flag],
      fresh[flag],
      `${label}, ${strategy.name}: ${flag} (lent, cached series)`,
    );
  }
  assert.equal(signals.warmup, expected.warmup);
  assert.equal(shared.signals.warmup, expected.warmup);
  shared.giveBack();
  giveBack();
}

describe('signals in lent buffers (a lone run, or a sweep set over a shared cache)', () => {
  it('are the flags of freshly computed series, whatever the buffers held before', () => {
    // one strategy after another, and longer series before shorter ones, so that every
    // buffer is reused holding another strategy's flags and indicators, or a longer one's
    const series: [string, Bars][] = [
      ['random walk, 30,000 bars', randomWalkBars({ seed: 4, count: 30_000, timeframe: '1m' })],
      ['the S&P 500', bundledSp500()],
      ['grid prices', gridBars(3_000, 2, 0.5)],
      ['random walk, 257 bars', randomWalkBars({ seed: 9, count: 257, timeframe: '1h' })],
      ['no bars', randomWalkBars({ seed: 1, count: 0, timeframe: '1m' })],
    ];
    const caches = new Map(series.map(([label, bars]) => [label, new IndicatorCache(bars)]));
    for (let round = 0; round < 2; round++)
      for (const [label, bars] of series)
        for (const strategy of STRATEGIES)
          assertSameAsComputed(strategy, bars, label, caches.get(label)!);
  });

  it('lends a buffer held by a run still going to no other run', () => {
    const bars = randomWalkBars({ seed: 5, count: 2_000, timeframe: '1m' });
    const [first, second] = STRATEGIES as [RulesStrategyConfig, RulesStrategyConfig];
    const outer = lendSignals(first, bars);
    const inner = lendSignals(second, bars);
    for (const flag of FLAGS) assert.notEqual(outer.signals[flag], inner.signals[flag]);
    assert.deepEqual(outer.signals.entryLong, computeSignals(first, bars).entryLong);
    inner.giveBack();
    outer.giveBack();
  });
});
