import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndicatorSpec } from '@ktrdr/shared';
import { SMA } from 'trading-signals';
import { computeNamedOutputs, INDICATORS, randomWalkBars, strategyIssues } from '../src/index.js';

const bars = randomWalkBars({ seed: 5, count: 400, timeframe: '1h' });

function firstFinite(series: Float64Array): number {
  return series.findIndex((v) => Number.isFinite(v));
}

const SPECS: Record<string, IndicatorSpec> = {
  sma: { type: 'sma', period: 20 },
  ema: { type: 'ema', period: 20 },
  rsi: { type: 'rsi', period: 14 },
  roc: { type: 'roc', period: 10 },
  atr: { type: 'atr', period: 14 },
  williams_r: { type: 'williams_r', period: 14 },
  macd: { type: 'macd', fast: 12, slow: 26, signal: 9 },
  bollinger: { type: 'bollinger', period: 20, stddev: 2 },
  adx: { type: 'adx', period: 14 },
  stochastic: { type: 'stochastic', k_period: 14, d_period: 3 },
};

describe('indicators (trading-signals) with explicit warm-up', () => {
  it("computes every indicator: NaN while warming up, finite after, within each one's range", () => {
    for (const [name, spec] of Object.entries(SPECS)) {
      const outputs = computeNamedOutputs(name, spec, bars);
      const warmup = INDICATORS[spec.type].warmup(spec);
      for (const output of INDICATORS[spec.type].outputs) {
        const series = outputs.get(`${name}.${output}`)!;
        assert.equal(series.length, bars.time.length, `${name}.${output}`);
        const first = firstFinite(series);
        assert.ok(first >= 0, `${name}.${output} produces values`);
        assert.ok(
          first <= warmup,
          `${name}.${output} is stable by bar ${warmup} (first value at ${first})`,
        );
        for (let i = first; i < series.length; i++)
          assert.ok(Number.isFinite(series[i]!), `${name}.${output}[${i}] stays finite`);
      }
      assert.equal(
        outputs.get(name),
        outputs.get(`${name}.${INDICATORS[spec.type].outputs[0]}`),
        'the bare name is the first output',
      );
    }
    const inRange = (name: string, lo: number, hi: number) =>
      computeNamedOutputs(name, SPECS[name]!, bars)
        .get(name)!
        .every((v) => Number.isNaN(v) || (v >= lo && v <= hi));
    assert.ok(inRange('rsi', 0, 100));
    assert.ok(inRange('williams_r', -100, 0));
    assert.ok(inRange('stochastic', 0, 100));
    assert.ok(inRange('adx', 0, 100));
  });

  it("uses the library's numbers (SMA equals trading-signals' own SMA; Bollinger middle is the SMA)", () => {
    const sma = new SMA(20);
    const expected = Array.from(bars.close, (c) => {
      sma.add(c);
      return sma.isStable ? sma.getResultOrThrow() : Number.NaN;
    });
    const ours = computeNamedOutputs('s', SPECS.sma!, bars).get('s')!;
    assert.deepEqual(Array.from(ours), expected);
    const middle = computeNamedOutputs('bb', SPECS.bollinger!, bars).get('bb.middle')!;
    for (let i = 19; i < bars.time.length; i++) assert.ok(Math.abs(middle[i]! - ours[i]!) < 1e-9);
  });

  it('starts the MACD signal and histogram only once the signal EMA is stable', () => {
    const out = computeNamedOutputs('m', SPECS.macd!, bars);
    assert.equal(firstFinite(out.get('m.line')!), 25, 'the line needs the slow EMA (26 bars)');
    assert.equal(firstFinite(out.get('m.signal')!), 25 + 8, 'the signal needs 9 MACD values more');
    const { line, signal, histogram } = {
      line: out.get('m.line')!,
      signal: out.get('m.signal')!,
      histogram: out.get('m.histogram')!,
    };
    for (let i = 40; i < 60; i++)
      assert.ok(Math.abs(histogram[i]! - (line[i]! - signal[i]!)) < 1e-9);
  });

  it('names wrong, missing and foreign parameters by their path', () => {
    const strategy = (indicators: Record<string, unknown>) => ({
      name: 'x',
      type: 'rules',
      indicators,
      entry: { long: { greater_than: ['close', 0] } },
    });
    const text = (indicators: Record<string, unknown>) =>
      strategyIssues(strategy(indicators)).map((i) => `${i.path}: ${i.message}`);
    assert.deepEqual(text({ a: { type: 'sma' } }), ['indicators.a.period: is required for sma']);
    assert.deepEqual(text({ a: { type: 'rsi', period: 14, fast: 3 } }), [
      'indicators.a.fast: is not a parameter of rsi (it takes: period)',
    ]);
    assert.deepEqual(text({ a: { type: 'macd', fast: 30, slow: 26 } }), [
      'indicators.a.fast: must be below slow (26)',
    ]);
    assert.deepEqual(text({ a: { type: 'atr', period: 14, source: 'open' } }), [
      'indicators.a.source: atr reads high, low and close; it takes no source',
    ]);
    assert.deepEqual(text({ a: { type: 'bollinger' } }), [], 'defaults: period 20, stddev 2');
    assert.deepEqual(
      text({ a: { type: 'adx', period: 0 } }),
      ['indicators.a.period: must be >= 1'],
      'one message per field',
    );
    assert.deepEqual(text({ a: { type: 'adx', period: 1 } }), ['indicators.a.period: must be ≥ 2']);
  });
});
