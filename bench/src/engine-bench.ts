import {
  computeSignals,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  type Bars,
} from '@ktrdr/engine';
import type { RulesStrategyConfig } from '@ktrdr/shared';

/** The SMA crossover of the bundled example. */
export const SMA_CROSSOVER: RulesStrategyConfig = parseRulesStrategy({
  name: 'sma_crossover',
  type: 'rules',
  indicators: { fast: { type: 'sma', period: 20 }, slow: { type: 'sma', period: 50 } },
  entry: { long: { crosses_above: ['fast', 'slow'] } },
  exit: { long: { crosses_below: ['fast', 'slow'] } },
});

/** A rules strategy over three indicators, long and short, with a stop. */
export const THREE_INDICATORS: RulesStrategyConfig = parseRulesStrategy({
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
});

const money = { initialCapital: 100_000, commission: 0.001, slippage: 0.0005 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** One engine row: whole-run and indicator/signal medians over `repeats` runs. */
export interface EngineRow {
  strategy: string;
  bars: number;
  trades: number;
  runMs: number;
  signalsMs: number;
  barsPerSecond: number;
  loopBarsPerSecond: number;
}

function measure(bars: Bars, strategy: RulesStrategyConfig, repeats: number): EngineRow {
  const runs: number[] = [];
  const signals: number[] = [];
  let trades = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    computeSignals(strategy, bars);
    const t1 = performance.now();
    const output = runBacktest(bars, strategy, money);
    const t2 = performance.now();
    signals.push(t1 - t0);
    runs.push(t2 - t1);
    trades = output.trades.length;
  }
  const runMs = median(runs);
  const signalsMs = median(signals);
  const n = bars.time.length;
  return {
    strategy: strategy.name,
    bars: n,
    trades,
    runMs,
    signalsMs,
    barsPerSecond: n / (runMs / 1000),
    loopBarsPerSecond: n / (Math.max(0.001, runMs - signalsMs) / 1000),
  };
}

/** Engine throughput on this (single) thread over `count` generated bars. */
export function engineThroughput(count: number, repeats: number): EngineRow[] {
  const bars = randomWalkBars({ seed: 42, count, timeframe: '1m' });
  // warm the JIT on a smaller series first
  const warm = randomWalkBars({ seed: 1, count: 50_000, timeframe: '1m' });
  for (const s of [SMA_CROSSOVER, THREE_INDICATORS]) runBacktest(warm, s, money);
  return [measure(bars, SMA_CROSSOVER, repeats), measure(bars, THREE_INDICATORS, repeats)];
}

/** Memory per million bars: the bars themselves, and what a finished run keeps (equity, drawdown, trades). */
export function memoryPerMillionBars(): { barsMb: number; resultMb: number; trades: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const held = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = held();
  const bars = randomWalkBars({ seed: 42, count: 1_000_000, timeframe: '1m' });
  const withBars = held();
  const output = runBacktest(bars, SMA_CROSSOVER, money);
  const withResult = held();
  const result = {
    barsMb: (withBars - before) / 1024 ** 2,
    resultMb: (withResult - withBars) / 1024 ** 2,
    trades: output.trades.length,
  };
  return result;
}
