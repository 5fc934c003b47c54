import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type * as Engine from '../src/index.js';

/**
 * Backtests whose full and display results were recorded (as SHA-256 digests, in
 * golden-results.json) by the engine before its batch kernels and loop changes: a test
 * holds today's engine to them byte for byte. Written against the engine's public API
 * only, so the recording script can run it on the old sources too. To record again:
 * `git archive 6b2cc4f packages/engine/src | tar -x -C /tmp/orig`, link the repository's
 * node_modules into /tmp/orig, and there run (`node --import tsx`) a file that prints
 * `JSON.stringify(goldenDigests(await import('./packages/engine/src/index.js')), null, 2)`.
 */

const assets = new URL('../../../apps/backend/assets/', import.meta.url);

/** The benchmark's three-indicator strategy and one over every candle indicator. */
export const MORE_RULES: Record<string, unknown>[] = [
  {
    name: 'three_indicators',
    type: 'rules',
    indicators: {
      trend: { type: 'ema', period: 50 },
      rsi: { type: 'rsi', period: 14 },
      bb: { type: 'bollinger', period: 20, stddev: 2 },
    },
    entry: {
      long: { all: [{ crosses_above: ['close', 'bb.lower'] }, { less_than: ['rsi', 45] }] },
      short: {
        all: [
          { crosses_below: ['close', 'bb.upper'] },
          { greater_than: ['rsi', 55] },
          { less_than: ['close', 'trend'] },
        ],
      },
    },
    exit: {
      long: { any: [{ crosses_above: ['close', 'bb.middle'] }, { greater_than: ['rsi', 70] }] },
      short: { any: [{ crosses_below: ['close', 'bb.middle'] }, { less_than: ['rsi', 30] }] },
    },
    risk: { stop_loss: 0.02 },
  },
  {
    name: 'candles',
    type: 'rules',
    indicators: {
      wr: { type: 'williams_r', period: 14 },
      st: { type: 'stochastic', k_period: 14, d_period: 3, smoothing: 3 },
      atr: { type: 'atr', period: 14 },
      roc: { type: 'roc', period: 10 },
      adx: { type: 'adx', period: 14 },
    },
    entry: {
      long: { all: [{ crosses_above: ['st.k', 'st.d'] }, { less_than: ['wr', -60] }] },
      short: { all: [{ crosses_below: ['st.k', 'st.d'] }, { greater_than: ['roc', 0.01] }] },
    },
    exit: {
      long: { any: [{ greater_than: ['wr', -20] }, { less_than: ['adx', 15] }] },
      short: { greater_than: ['atr', 30] },
    },
    risk: { stop_loss: 0.05, take_profit: 0.08 },
  },
  {
    name: 'macd_short',
    type: 'rules',
    indicators: {
      m: { type: 'macd', fast: 5, slow: 35, signal: 5 },
      s: { type: 'sma', period: 100, source: 'open' },
    },
    entry: {
      short: { all: [{ crosses_below: ['m.line', 'm.signal'] }, { less_than: ['close', 's'] }] },
      long: { crosses_above: [0, 'm.histogram'] },
    },
    exit: { short: { greater_than: ['m.histogram', 0] } },
    position: { sizing: 'fixed_units', value: 10 },
  },
];

const BUNDLED = ['sma_crossover', 'rsi_mean_reversion', 'macd_trend'];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every case's label, its trade count and the digests of its full and display results. */
export function goldenDigests(
  engine: typeof Engine,
): Record<string, { trades: number; full: string; display: string }> {
  const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };
  const strategies = [
    ...BUNDLED.map(
      (name) =>
        parseYaml(readFileSync(new URL(`strategies/${name}.yaml`, assets), 'utf8')) as unknown,
    ),
    ...MORE_RULES,
  ].map((raw) => engine.parseRulesStrategy(raw));
  const series: [string, Engine.Bars][] = [
    [
      'SP500-1d',
      engine.parseBarsCsv(
        readFileSync(new URL('data/SP500-1d.csv', assets), 'utf8'),
        'SP500',
        '1d',
      ),
    ],
    ['random-walk-15m', engine.randomWalkBars({ seed: 9, count: 20_000, timeframe: '15m' })],
  ];
  const digests: Record<string, { trades: number; full: string; display: string }> = {};
  for (const [seriesName, bars] of series)
    for (const strategy of strategies) {
      const output = engine.runBacktest(bars, strategy, money);
      digests[`${strategy.name} on ${seriesName}`] = {
        trades: output.trades.length,
        full: sha256([...engine.fullResultChunks(output)].join('')),
        display: sha256(JSON.stringify(engine.toBacktestResult(output))),
      };
    }
  return digests;
}
