import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  computeSignals,
  INDICATORS,
  parseRulesStrategy,
  randomWalkBars,
  runBacktest,
  type Bars,
} from '@ktrdr/engine';
import type { IndicatorSpec, RulesStrategyConfig } from '@ktrdr/shared';

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

/** CPU time of this process so far, ms: unlike wall time, it leaves out waiting for a core. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One engine row: whole-run and indicator/signal medians over `repeats` runs. */
export interface EngineRow {
  strategy: string;
  bars: number;
  trades: number;
  /** A full run (`runBacktest`: indicators, signals, loop, every result part), wall ms. */
  runMs: number;
  /** The same run's CPU ms: on a shared machine, the figure other processes disturb least. */
  runCpuMs: number;
  signalsMs: number;
  /** A metrics-only run (`detail: 'metrics'`, what a sweep set costs), wall ms. */
  metricsOnlyMs: number;
  barsPerSecond: number;
  /** Bars per CPU second of a full run. */
  cpuBarsPerSecond: number;
  loopBarsPerSecond: number;
}

function measure(bars: Bars, strategy: RulesStrategyConfig, repeats: number): EngineRow {
  const runs: number[] = [];
  const cpu: number[] = [];
  const signals: number[] = [];
  const metricsOnly: number[] = [];
  let trades = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    computeSignals(strategy, bars);
    const t1 = performance.now();
    const c1 = cpuMs();
    const output = runBacktest(bars, strategy, money);
    const t2 = performance.now();
    cpu.push(cpuMs() - c1);
    runBacktest(bars, strategy, money, { detail: 'metrics' });
    const t3 = performance.now();
    signals.push(t1 - t0);
    runs.push(t2 - t1);
    metricsOnly.push(t3 - t2);
    trades = output.trades.length;
  }
  const runMs = median(runs);
  const runCpuMs = median(cpu);
  const signalsMs = median(signals);
  const n = bars.time.length;
  return {
    strategy: strategy.name,
    bars: n,
    trades,
    runMs,
    runCpuMs,
    signalsMs,
    metricsOnlyMs: median(metricsOnly),
    barsPerSecond: n / (runMs / 1000),
    cpuBarsPerSecond: n / (runCpuMs / 1000),
    loopBarsPerSecond: n / (Math.max(0.001, runMs - signalsMs) / 1000),
  };
}

/** Engine throughput on this (single) thread over `count` generated bars. */
export function engineThroughput(count: number, repeats: number): EngineRow[] {
  const bars = randomWalkBars({ seed: 42, count, timeframe: '1m' });
  // warm up on the measured series itself, twice: the first runs over a million bars are
  // still slow (compilation, first-touch memory) long after a smaller series warmed the JIT
  for (const s of [SMA_CROSSOVER, THREE_INDICATORS])
    for (let r = 0; r < 2; r++) {
      runBacktest(bars, s, money);
      runBacktest(bars, s, money, { detail: 'metrics' });
    }
  return [measure(bars, SMA_CROSSOVER, repeats), measure(bars, THREE_INDICATORS, repeats)];
}

/** One indicator's batch kernel against `trading-signals`, which it equals bit for bit. */
export interface KernelRow {
  indicator: string;
  bars: number;
  kernelMs: number;
  libraryMs: number;
  /** libraryMs / kernelMs, both measured in the same run. */
  speedup: number;
}

const KERNEL_SPECS: [string, IndicatorSpec][] = [
  ['SMA(20)', { type: 'sma', period: 20 }],
  ['SMA(50)', { type: 'sma', period: 50 }],
  ['EMA(50)', { type: 'ema', period: 50 }],
  ['RSI(14)', { type: 'rsi', period: 14 }],
  ['Bollinger(20, 2)', { type: 'bollinger', period: 20, stddev: 2 }],
  ['MACD(12, 26, 9)', { type: 'macd', fast: 12, slow: 26, signal: 9 }],
  ['ROC(10)', { type: 'roc', period: 10 }],
  ['ATR(14)', { type: 'atr', period: 14 }],
  ['Williams %R(14)', { type: 'williams_r', period: 14 }],
  ['Stochastic(14, 3, 3)', { type: 'stochastic', k_period: 14, d_period: 3, smoothing: 3 }],
];

/** Each kernel and its `trading-signals` reference over `count` bars, median of `repeats`, interleaved. */
export function kernelThroughput(count: number, repeats: number): KernelRow[] {
  const bars = randomWalkBars({ seed: 42, count, timeframe: '1m' });
  return KERNEL_SPECS.map(([indicator, spec]) => {
    const definition = INDICATORS[spec.type];
    definition.compute(spec, bars);
    definition.reference(spec, bars);
    const kernel: number[] = [];
    const library: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      definition.compute(spec, bars);
      const t1 = performance.now();
      definition.reference(spec, bars);
      const t2 = performance.now();
      kernel.push(t1 - t0);
      library.push(t2 - t1);
    }
    const kernelMs = median(kernel);
    const libraryMs = median(library);
    return { indicator, bars: count, kernelMs, libraryMs, speedup: libraryMs / kernelMs };
  });
}

const commas = (v: number) => Math.round(v).toLocaleString('en-US');

/** The engine section of docs/BENCHMARKS.md, for `engineThroughput` and `kernelThroughput` rows. */
export function engineMarkdown(rows: readonly EngineRow[], kernels: readonly KernelRow[]): string {
  return `| strategy | bars | trades | run (ms) | of which indicators + signals (ms) | bars/s | run CPU (ms) | bars per CPU second | metrics-only run (ms) |
|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.strategy} | ${commas(r.bars)} | ${commas(r.trades)} | ${r.runMs.toFixed(0)} | ${r.signalsMs.toFixed(0)} | ${commas(r.barsPerSecond)} | ${r.runCpuMs.toFixed(0)} | ${commas(r.cpuBarsPerSecond)} | ${r.metricsOnlyMs.toFixed(0)} |`).join('\n')}

Indicator kernels against \`trading-signals\` (the same values, bit for bit), ${commas(kernels[0]?.bars ?? 0)} bars:

| indicator | kernel (ms) | trading-signals (ms) | speed-up |
|---|---|---|---|
${kernels.map((k) => `| ${k.indicator} | ${k.kernelMs.toFixed(1)} | ${k.libraryMs.toFixed(1)} | ${k.speedup.toFixed(1)}× |`).join('\n')}`;
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

// `node --expose-gc bench/dist/engine-bench.js [bars] [runs]`: the engine rows and the kernel
// rows alone, as JSON, with the load average (a shared machine's contention) before and after
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [bars = 1_000_000, runs = 5] = process.argv.slice(2).map(Number);
  const loadBefore = loadavg()[0];
  const engine = engineThroughput(bars, runs);
  const kernels = kernelThroughput(bars, runs);
  console.log(JSON.stringify({ loadBefore, loadAfter: loadavg()[0], engine, kernels }, null, 2));
  console.log(engineMarkdown(engine, kernels));
}
