import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomWalkBars, runBacktest } from '@ktrdr/engine';
import { parseRulesStrategy } from '@ktrdr/engine/strategies';
import type { SweepSetResults } from '@ktrdr/shared';
import { SetBatch } from '../src/jobs/sweep-shard/set-batch.js';

const bars = randomWalkBars({ seed: 7, count: 600, timeframe: '1d' });
const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
const summaryOf = (fast: number, slow: number) =>
  runBacktest(
    bars,
    parseRulesStrategy({
      name: 'sma_crossover',
      type: 'rules',
      indicators: { fast: { type: 'sma', period: fast }, slow: { type: 'sma', period: slow } },
      entry: { long: { crosses_above: ['fast', 'slow'] } },
      exit: { long: { crosses_below: ['fast', 'slow'] } },
    }),
    money,
    { detail: 'metrics' },
  );

describe('SetBatch', () => {
  it('reports each set as a row of columns: every metric, the rounded final equity, the bars', () => {
    const sent: SweepSetResults[] = [];
    const batch = new SetBatch((results) => sent.push(results));
    const summaries = [summaryOf(5, 30), summaryOf(10, 60), summaryOf(300, 400)];
    summaries.forEach((summary, i) => batch.completed(40 + i, summary, 600));
    batch.failure(43, 'indicators.slow.period: must be more than fast');
    batch.flush();
    assert.equal(sent.length, 1);
    const [results] = sent;
    assert.deepEqual(results!.set_index, [40, 41, 42]);
    assert.deepEqual(results!.failed, [
      { set_index: 43, error: 'indicators.slow.period: must be more than fast' },
    ]);
    summaries.forEach((summary, i) => {
      for (const [name, value] of Object.entries(summary.metrics))
        assert.equal(results!.metrics[name]![i], value, `${name} of set ${40 + i}`);
      assert.equal(results!.metrics.final_equity![i], Math.round(summary.finalEquity * 1e6) / 1e6);
      assert.equal(results!.metrics.bars![i], 600);
    });
    // no drawdown and no losing trade: the metrics that are null then stay null
    assert.equal(summaries[2]!.metrics.total_trades, 0);
    assert.equal(results!.metrics.profit_factor![2], null);
    assert.equal(
      Object.keys(results!.metrics).length,
      Object.keys(summaries[0]!.metrics).length + 2,
    );
  });

  it('sends at most maxSets sets at once, and nothing when nothing waits', () => {
    const sent: SweepSetResults[] = [];
    const batch = new SetBatch((results) => sent.push(results));
    const summary = summaryOf(5, 30);
    for (let i = 0; i < SetBatch.maxSets + 5; i++) batch.completed(i, summary, 600);
    batch.flush();
    batch.flush();
    assert.deepEqual(
      sent.map((s) => s.set_index.length),
      [SetBatch.maxSets, 5],
    );
    assert.equal(sent[1]!.set_index[0], SetBatch.maxSets);
    assert.equal(sent[1]!.metrics.sharpe_ratio!.length, 5);
  });

  it('sends a batch of failures alone with no metric columns', () => {
    const sent: SweepSetResults[] = [];
    const batch = new SetBatch((results) => sent.push(results));
    batch.failure(3, 'x'.repeat(3000));
    batch.flush();
    assert.deepEqual(sent[0]!.set_index, []);
    assert.deepEqual(sent[0]!.metrics, {});
    assert.equal(sent[0]!.failed![0]!.error.length, 2000);
  });
});
