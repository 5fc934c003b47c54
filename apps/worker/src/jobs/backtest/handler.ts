import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { barsFromColumnar } from '@ktrdr/engine/data';
import { runBacktest, toBacktestResult, type BacktestTick } from '@ktrdr/engine/backtest';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import { CancelledError, type BacktestJob } from '@ktrdr/shared';
import type { JobContext, JobHandler } from '../../runtime/job-definition.js';

function dateOf(ms: number, timeframe: string): string {
  const iso = new Date(ms).toISOString();
  return timeframe === '1d' ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

/**
 * Runs one backtest: bars from the backend's data API (no shared disk), the engine in
 * this thread, progress every tick with the bar date, the cancel flag checked every tick
 * (at most every 1,000 bars), and the full result written for upload.
 */
const backtestHandler: JobHandler = async (raw, ctx: JobContext) => {
  const job = raw as unknown as BacktestJob;
  const { symbol, timeframe, start, end } = job.data;
  ctx.reportProgress({
    current_step: `loading ${symbol} ${timeframe}`,
    items_processed: 0,
    items_total: 0,
  });
  const { bars: columnar } = await ctx.backend.getSeries(symbol, timeframe, { start, end });
  ctx.cancel.throwIfCancelled();
  const bars = barsFromColumnar(columnar);
  const strategy = parseStrategyConfig(job.strategy.config);

  const throttle = ctx.settings.throttleBarsPerSecond;
  const tickEvery = throttle ? Math.max(1, Math.min(1000, Math.floor(throttle / 20))) : 1000;
  const started = performance.now();
  const onTick = (tick: BacktestTick) => {
    ctx.cancel.throwIfCancelled();
    if (throttle) {
      const wait = started + (tick.barsDone / throttle) * 1000 - performance.now();
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
        bars_per_second: elapsed > 0 ? Math.round(tick.barsDone / elapsed) : null,
      },
    });
  };
  const output = runBacktest(
    bars,
    strategy,
    { initialCapital: job.initial_capital, commission: job.commission, slippage: job.slippage },
    { tickEvery, onTick },
  );
  const result = toBacktestResult(output);
  const dir = join(ctx.cacheDir, 'results');
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, `${job.task_id}-${job.attempt}.json`);
  await writeFile(resultPath, JSON.stringify(result));
  const m = output.metrics;
  return {
    resultPath,
    summary: {
      total_return: m.total_return,
      sharpe_ratio: m.sharpe_ratio,
      max_drawdown: m.max_drawdown,
      total_trades: m.total_trades,
      win_rate: m.win_rate,
      final_equity: result.equity_curve.at(-1)?.equity ?? job.initial_capital,
      bars: bars.time.length,
    },
  };
};

export default backtestHandler;
