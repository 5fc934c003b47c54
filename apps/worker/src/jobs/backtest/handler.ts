import { join } from 'node:path';
import {
  chartReadsSeries,
  decodeCheckpoint,
  encodeCheckpoint,
  IndicatorCache,
  indicatorSeries,
  inSampleFields,
  runSignals,
  toFullResult,
  type BacktestCheckpoint,
  type BacktestOutput,
  type BacktestTick,
  type SplitBoundaries,
} from '@ktrdr/engine/backtest';
import {
  CancelledError,
  encodeFullResultParts,
  MAX_CANDLES,
  FULL_RESULT_ARTIFACT,
  type BacktestJob,
  type StrategyConfig,
} from '@ktrdr/shared';
import type { Bars } from '@ktrdr/engine/data';
import type { JobContext, JobHandler } from '../../runtime/job-definition.js';
import { SeriesCache } from '../../data/series-cache.js';
import { StrategyCache } from '../../data/strategy-cache.js';
import { modelSplitOf, strategySignals } from './strategy-signals.js';

let cache: SeriesCache | undefined;
let strategies: StrategyCache | undefined;

function dateOf(ms: number, timeframe: string): string {
  const iso = new Date(ms).toISOString();
  return timeframe === '1d' ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * The binary full result with the display-only fields beside it (a model's segments, the
 * strategy's indicator series for the price chart), in memory while small, else a file.
 * It is the one result file: the backend makes the display result (`…/result`) from it,
 * so no per-bar JSON is formatted, sent or stored for a run nobody opens.
 */
async function writeResults(
  ctx: JobContext,
  output: BacktestOutput,
  strategy: StrategyConfig,
  bars: Bars,
  split: SplitBoundaries | null,
  indicators: IndicatorCache = new IndicatorCache(bars),
) {
  const full = {
    ...toFullResult(output),
    display: {
      // a model backtest: its metrics per segment of the model's data, when it saw any of them
      ...(split ? inSampleFields(output.time, output.equity, output.trades, split) : {}),
      indicators: indicatorSeries(strategy, bars, MAX_CANDLES, indicators),
    },
  };
  return [await ctx.resultArtifact(FULL_RESULT_ARTIFACT, '-full.bin', encodeFullResultParts(full))];
}

/**
 * Runs one backtest: bars from the backend's data API (or this worker's cache), the
 * engine in this thread, progress every tick with the bar date, equity, position, trades
 * and speed, the cancel flag checked every tick (at most every 1,000 bars), a checkpoint
 * at most every `checkpointSeconds`, and the results written for upload. A job that
 * carries a checkpoint continues from it.
 */
const backtestHandler: JobHandler<BacktestJob> = async (job, ctx: JobContext) => {
  const { symbol, timeframe } = job.data;
  cache ??= new SeriesCache(join(ctx.cacheDir, 'series'));
  ctx.reportProgress({
    current_step: `loading ${symbol} ${timeframe}`,
    items_processed: 0,
    items_total: 0,
  });
  const { bars } = await cache.get(job.data, ctx.backend, ctx.signal);
  ctx.cancel.throwIfCancelled();
  strategies ??= new StrategyCache();
  const strategy = await strategies.validConfigOf(job.strategy, ctx.backend, ctx.signal);
  // the chart's indicator series reuse what the signals computed; a chart of moving
  // averages alone reads them at its candles, so its signals keep no series (the engine's
  // lone path decides SMA crossovers from running sums: a 1 M-bar run's signals 28 → 6 ms)
  const indicators = chartReadsSeries(strategy) ? new IndicatorCache(bars) : undefined;
  const signals = await strategySignals(strategy, job.model_id, bars, ctx, indicators);

  let resumeFrom: BacktestCheckpoint | undefined;
  if (job.checkpoint_ref) {
    ctx.reportProgress({
      current_step: `loading checkpoint ${job.checkpoint_ref}`,
      items_processed: 0,
      items_total: bars.time.length,
    });
    resumeFrom = decodeCheckpoint(await ctx.loadCheckpoint());
  }

  const throttle = ctx.settings.throttleBarsPerSecond;
  const tickEvery = throttle ? Math.max(1, Math.min(1000, Math.floor(throttle / 20))) : 1000;
  const startBar = resumeFrom?.barIndex ?? 0;
  const started = performance.now();
  let lastCheckpoint = started;
  const onTick = (tick: BacktestTick) => {
    ctx.cancel.throwIfCancelled();
    const doneHere = tick.barsDone - startBar;
    if (throttle) {
      const wait = started + (doneHere / throttle) * 1000 - performance.now();
      if (wait > 0 && ctx.cancel.sleep(wait)) throw new CancelledError();
    }
    const elapsed = (performance.now() - started) / 1000;
    const date = dateOf(tick.time, timeframe);
    ctx.reportProgress({
      current_step: `${job.strategy.name} on ${symbol} ${timeframe} · ${date}`,
      items_processed: tick.barsDone,
      items_total: tick.barsTotal,
      context: {
        bar_date: date,
        equity: Math.round(tick.equity * 100) / 100,
        position: tick.position,
        trades: tick.tradesSoFar,
        bars_per_second: elapsed > 0 ? Math.round(doneHere / elapsed) : null,
        ...(resumeFrom ? { resumed_from_bar: resumeFrom.barIndex } : {}),
      },
    });
  };
  const output = runSignals(
    bars,
    signals,
    strategy,
    { initialCapital: job.initial_capital, commission: job.commission, slippage: job.slippage },
    {
      tickEvery,
      onTick,
      checkpointEvery: tickEvery,
      onCheckpoint: (barIndex, take) => {
        const now = performance.now();
        if (now - lastCheckpoint < ctx.settings.checkpointSeconds * 1000) return;
        lastCheckpoint = now;
        ctx.checkpoint(encodeCheckpoint(take()), String(barIndex));
      },
      ...(resumeFrom ? { resumeFrom } : {}),
    },
  );
  const split = job.model_id ? await modelSplitOf(job.model_id, ctx) : null;
  const artifacts = await writeResults(ctx, output, strategy, bars, split, indicators);
  const m = output.metrics;
  return {
    artifacts,
    // every metric: a sweep ranks its backtests by any of them without reading their results
    summary: {
      ...m,
      final_equity: Math.round((output.equity.at(-1) ?? job.initial_capital) * 1e6) / 1e6,
      bars: bars.time.length,
      ...(resumeFrom ? { resumed_from_bar: resumeFrom.barIndex } : {}),
      ...(job.model_id ? { model_id: job.model_id } : {}),
    },
  };
};

export default backtestHandler;
