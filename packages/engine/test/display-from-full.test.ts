import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFullResult, displayResultOf, encodeFullResult } from '@ktrdr/shared';
import {
  indicatorSeries,
  runBacktest,
  sliceByTime,
  toBacktestResult,
  toFullResult,
} from '../src/index.js';
import { BUNDLED_RULES, bundledSp500, bundledStrategy } from './bundled.js';

const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };

describe('the display result made from the stored full result', () => {
  it('is the text a worker used to send: every bundled strategy, whole series and a slice, any limits', () => {
    const series = bundledSp500();
    const slices = [series, sliceByTime(series, Date.UTC(2018, 8, 1))];
    for (const name of BUNDLED_RULES) {
      const strategy = bundledStrategy(name);
      for (const bars of slices) {
        const output = runBacktest(bars, strategy, money);
        const indicators = indicatorSeries(strategy, bars);
        // what the worker stores: the binary full result with the display fields beside it
        const stored = encodeFullResult({ ...toFullResult(output), display: { indicators } });
        const decoded = decodeFullResult(stored);
        for (const limits of [undefined, { maxPoints: 64, maxTrades: 1 }]) {
          const label = `${name} over ${bars.time.length} bars, limits ${JSON.stringify(limits)}`;
          // what the worker sent as result.json before
          const sent = JSON.stringify({ ...toBacktestResult(output, limits), indicators });
          assert.equal(JSON.stringify(displayResultOf(decoded, limits)), sent, label);
        }
        assert.ok(output.trades.length > 1, `${name} over ${bars.time.length} bars: trades to cut`);
      }
    }
  });
});
