import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RulesStrategyConfig } from '@ktrdr/shared';
import {
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  tradeExcursions,
  type BacktestCheckpoint,
  type Bars,
} from '../src/index.js';
import { gridBars } from './grid-bars.js';

const money = { initialCapital: 10_000, commission: 0.001, slippage: 0.0005 };

/** A crossover of two EMAs with the given trading rules, long and short. */
function crossover(rules: Partial<RulesStrategyConfig>): RulesStrategyConfig {
  return parseRulesStrategy({
    name: 'ema_cross',
    type: 'rules',
    indicators: { fast: { type: 'ema', period: 4 }, slow: { type: 'ema', period: 15 } },
    entry: {
      long: { crosses_above: ['fast', 'slow'] },
      short: { crosses_below: ['fast', 'slow'] },
    },
    exit: { long: { crosses_below: ['fast', 'slow'] } },
    ...rules,
  });
}

const STRATEGIES: RulesStrategyConfig[] = [
  crossover({}),
  crossover({ risk: { stop_loss: 0.004 } }),
  crossover({ risk: { stop_loss: 0.01, take_profit: 0.006 } }),
  // borrowed 50×: ranges reach the ruin price, and the run stops there
  crossover({ risk: { leverage: 50 }, position: { sizing: 'fraction_of_equity', value: 50 } }),
];

/** Every trade's MAE and MFE are those of scanning its bars again, found by its times. */
function assertScanned(bars: Bars, trades: ReturnType<typeof runBacktest>['trades']): void {
  assert.ok(trades.length > 0);
  trades.forEach((trade, k) => {
    const scanned = tradeExcursions(trade, bars);
    assert.ok(Object.is(trade.mae, scanned.mae), `trade ${k}: mae ${trade.mae} vs ${scanned.mae}`);
    assert.ok(Object.is(trade.mfe, scanned.mfe), `trade ${k}: mfe ${trade.mfe} vs ${scanned.mfe}`);
  });
}

describe('trade excursions followed by the bar loop', () => {
  it('equal a scan of each trade’s bars: stops, targets, reversals, ruin, the end of the data', () => {
    const series = [
      randomWalkBars({ seed: 11, count: 5_000, timeframe: '1m', volatility: 0.004 }),
      gridBars(5_000, 12, 0.5, 0.003),
    ];
    for (const bars of series)
      for (const strategy of STRATEGIES)
        assertScanned(bars, runBacktest(bars, strategy, money).trades);
  });

  it('leave out the range of the last bar, where a position still open is closed', () => {
    const bars = randomWalkBars({ seed: 15, count: 500, timeframe: '1m' });
    const last = bars.time.length - 1;
    // the widest range of all on the last bar: counted, it would set both excursions
    bars.high[last] = 1_000;
    bars.low[last] = 1;
    const hold = parseRulesStrategy({
      name: 'hold',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 0] } },
    });
    const { trades } = runBacktest(bars, hold, money);
    assert.equal(trades.at(-1)?.exitReason, 'end_of_data');
    assert.ok((trades.at(-1)?.mfe ?? 1) < 0.5);
    assertScanned(bars, trades);
  });

  it('equal it for a run resumed with a position open (its entry was before the resume)', () => {
    const bars = randomWalkBars({ seed: 13, count: 3_000, timeframe: '1m', volatility: 0.004 });
    const strategy = STRATEGIES[1] as RulesStrategyConfig;
    const whole = runBacktest(bars, strategy, money);
    const saved: BacktestCheckpoint[] = [];
    runBacktest(bars, strategy, money, {
      checkpointEvery: 97,
      onCheckpoint: (_at, take) => saved.push(take()),
    });
    const open = saved.filter((c) => c.state.side !== 0);
    assert.ok(open.length > 0, 'some checkpoint holds a position');
    for (const checkpoint of open.slice(0, 5)) {
      const resumed = runBacktest(bars, strategy, money, { resumeFrom: checkpoint });
      assert.deepEqual(resumed.trades, whole.trades);
    }
    assertScanned(bars, whole.trades);
  });

  it('equal it where bars share a time (the scan starts from the first of them)', () => {
    const bars = randomWalkBars({ seed: 14, count: 2_000, timeframe: '1m', volatility: 0.004 });
    // every other bar repeats the time of the one before
    for (let i = 1; i < bars.time.length; i += 2) bars.time[i] = bars.time[i - 1] as number;
    // a time finds the first of its bars: where the engine's excursions start from
    for (const strategy of STRATEGIES)
      assertScanned(bars, runBacktest(bars, strategy, money).trades);
  });
});
