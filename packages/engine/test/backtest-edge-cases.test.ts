import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  parseBarsCsv,
  parseRulesStrategy,
  runBacktest,
  strategyIssues,
  toBacktestResult,
  type BacktestCheckpoint,
} from '../src/index.js';
import { daily } from './daily-bars.js';

const strategy = (extra: Record<string, unknown>, side: 'long' | 'short' = 'long') =>
  parseRulesStrategy({
    name: 'edge',
    type: 'rules',
    indicators: {},
    entry: { [side]: { greater_than: ['close', 100] } },
    ...extra,
  });

const noCosts = { initialCapital: 1000, commission: 0, slippage: 0 };

/**
 * A 3× leveraged long from 101 and a bar whose low is 60, which takes equity through zero
 * (3,000 of notional on 1,000: zero at about 67.3).
 */
const levered3 = () => ({
  bars: daily([
    [99, 101, 98, 101],
    [101, 102, 100, 102],
    [102, 103, 60, 70],
    [70, 120, 69, 110],
    [110, 130, 105, 125],
  ]),
  rules: strategy({ position: { sizing: 'fraction_of_equity', value: 3 }, risk: { leverage: 3 } }),
});

describe('engine edge cases: the gap rule, the cash check, ruin', () => {
  it('a bar that opens beyond the target fills at the open as a take-profit, even if its range later touches the stop', () => {
    // the issue's case: entry 874.31, target 876.06, open 877.89, low 871.64 (below the stop)
    const entry = 874.31;
    const bars = daily([
      [870, 875, 869, 874], // close above 100: buy at the next open
      [entry, entry + 0.5, entry - 0.5, entry],
      [877.89, 878.5, 871.64, 872],
      [872, 873, 871, 872],
    ]);
    const rules = strategy({ risk: { stop_loss: 0.003, take_profit: 0.002 } });
    const out = runBacktest(bars, rules, noCosts);
    const t = out.trades[0]!;
    assert.equal(t.entryPrice, entry);
    assert.equal(t.exitReason, 'take_profit');
    assert.equal(t.exitPrice, 877.89, 'filled at the open, which was beyond the target');
    assert.equal(t.exitTime, bars.time[2]);
    // and a gap through the stop still fills at the open as a stop
    const down = daily([
      [99, 101, 98, 101],
      [100, 100.5, 99.5, 100],
      [90, 103, 89, 95],
      [95, 96, 94, 95],
    ]);
    const stopped = runBacktest(
      down,
      strategy({ risk: { stop_loss: 0.05, take_profit: 0.02 } }),
      noCosts,
    );
    assert.deepEqual(
      [stopped.trades[0]!.exitReason, stopped.trades[0]!.exitPrice],
      ['stop_loss', 90],
    );
  });

  it('an entry the cash cannot pay for is skipped and counted (fixed units at leverage 1)', () => {
    // the issue's case: 7.5 units of a 1,400 index on 1,000 of capital
    const bars = daily([
      [1400, 1410, 1390, 1405],
      [1405, 1420, 1400, 1410],
      [1410, 1415, 1300, 1310],
      [1310, 1320, 1300, 1315],
    ]);
    const out = runBacktest(
      bars,
      strategy({ position: { sizing: 'fixed_units', value: 7.5 } }),
      noCosts,
    );
    assert.equal(out.trades.length, 0);
    // the entry condition holds at every close: three entries tried at the next opens, none paid for
    assert.equal(out.skippedEntries, 3);
    assert.equal(out.metrics.total_return, 0);
    assert.ok([...out.equity].every((e) => e === 1000));
    const result = toBacktestResult(out);
    assert.equal(result.skipped_entries, 3);
    assert.equal(result.ruin, null);
    // with enough leverage the same entry is taken
    const levered = runBacktest(
      bars,
      strategy({ position: { sizing: 'fixed_units', value: 0.5 }, risk: { leverage: 1 } }),
      noCosts,
    );
    assert.equal(levered.trades.length, 1);
    assert.equal(levered.skippedEntries, 0);
  });

  it('a fraction of equity above the leverage is refused at validation, naming the field', () => {
    const issues = strategyIssues({
      name: 'x',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 100] } },
      position: { sizing: 'fraction_of_equity', value: 2 },
    });
    assert.deepEqual(issues, [
      {
        path: 'position.value',
        message:
          '2 of equity is more than the cash can pay for at leverage 1: use at most 1, or set risk.leverage',
      },
    ]);
    const withLeverage = strategyIssues({
      name: 'x',
      type: 'rules',
      indicators: {},
      entry: { long: { greater_than: ['close', 100] } },
      position: { sizing: 'fraction_of_equity', value: 2 },
      risk: { leverage: 2 },
    });
    assert.deepEqual(withLeverage, []);
  });

  it('ruin: equity never goes below zero, the run stops trading, and the metrics agree (−100 %, no positive Sharpe)', () => {
    const { bars, rules } = levered3();
    const out = runBacktest(bars, rules, noCosts);
    assert.equal(out.trades.length, 1, 'no trade after the ruin, though the entry condition holds');
    const t = out.trades[0]!;
    assert.equal(t.exitReason, 'ruin');
    const zero = 101 - 1000 / t.size; // where equity reaches zero
    assert.ok(Math.abs(t.exitPrice - zero) < 1e-9, `${t.exitPrice} vs ${zero}`);
    assert.equal(out.ruinTime, bars.time[2]);
    assert.ok(
      [...out.equity].every((e) => e >= 0),
      'never below zero',
    );
    assert.deepEqual([...out.equity.slice(2)], [0, 0, 0]);
    assert.equal(out.metrics.total_return, -1);
    assert.equal(out.metrics.annualized_return, -1);
    assert.ok(out.metrics.sharpe_ratio <= 0, `sharpe ${out.metrics.sharpe_ratio}`);
    assert.equal(out.metrics.max_drawdown, 1);
    const result = toBacktestResult(out);
    assert.deepEqual(result.ruin, {
      time: '2020-01-03T00:00:00.000Z',
      message:
        'equity reached zero on 2020-01-03: the position was liquidated there and the run stopped trading',
    });
  });

  it('a short squeezed past twice its price is ruined at the open when it gaps through', () => {
    const bars = daily([
      [99, 101, 98, 101],
      [101, 102, 100, 101],
      [250, 260, 240, 255],
      [255, 256, 250, 252],
    ]);
    const out = runBacktest(bars, strategy({}, 'short'), noCosts);
    const t = out.trades[0]!;
    assert.deepEqual([t.side, t.exitReason, t.exitPrice], ['short', 'ruin', 250]);
    assert.equal(out.equity[2], 0);
    assert.equal(out.metrics.total_return, -1);
  });

  it('a run resumed from any bar ends with the same ruin and the same skipped entries', () => {
    const { bars, rules } = levered3();
    const whole = runBacktest(bars, rules, noCosts);
    for (let at = 1; at < bars.time.length; at++) {
      let saved: BacktestCheckpoint | undefined;
      runBacktest(bars, rules, noCosts, {
        checkpointEvery: at,
        onCheckpoint: (index, take) => {
          if (index === at) saved = decodeCheckpoint(encodeCheckpoint(take()));
        },
      });
      const resumed = runBacktest(bars, rules, noCosts, { resumeFrom: saved! });
      assert.deepEqual(
        [resumed.ruinTime, resumed.skippedEntries, [...resumed.equity], resumed.metrics],
        [whole.ruinTime, whole.skippedEntries, [...whole.equity], whole.metrics],
        `resumed at bar ${at}`,
      );
    }
  });

  it('the bundled rules strategies never skip an entry nor go broke on the bundled S&P 500', () => {
    // so these rules leave their results as they were (none has a take-profit either)
    const assets = new URL('../../../apps/backend/assets/', import.meta.url);
    const bars = parseBarsCsv(
      readFileSync(new URL('data/SP500-1d.csv', assets), 'utf8'),
      'SP500',
      '1d',
    );
    for (const name of ['sma_crossover', 'rsi_mean_reversion', 'macd_trend']) {
      const config = parseRulesStrategy(
        parseYaml(readFileSync(new URL(`strategies/${name}.yaml`, assets), 'utf8')),
      );
      assert.equal(config.risk?.take_profit, undefined, name);
      const out = runBacktest(bars, config, {
        initialCapital: 100_000,
        commission: 0.001,
        slippage: 0.0005,
      });
      assert.ok(out.trades.length > 0, name);
      assert.deepEqual([out.skippedEntries, out.ruinTime], [0, null], name);
    }
  });
});
