import { join } from 'node:path';
import { lendSignals, runSignals } from '@ktrdr/engine/backtest';
import type { Bars } from '@ktrdr/engine/data';
import { IndicatorCache } from '@ktrdr/engine/indicators';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import { withOverrides } from '@ktrdr/engine/validate';
import { CancelledError, type SweepShardJob } from '@ktrdr/shared';
import { SeriesCache } from '../../data/series-cache.js';
import { StrategyCache } from '../../data/strategy-cache.js';
import type { JobContext, JobHandler } from '../../runtime/job-definition.js';
import { strategySignals } from '../backtest/strategy-signals.js';
import { SetBatch } from './set-batch.js';

let series: SeriesCache | undefined;
let strategies: StrategyCache | undefined;
let lastIndicators: IndicatorCache | undefined;

/** Indicators kept from one shard to the next at most (beyond, a shard starts afresh). */
const KEPT_INDICATOR_BYTES = 128 * 1024 ** 2;

/**
 * The indicator cache for a shard's bars: the previous shard's when it ran on the same
 * bars (the series cache hands out one object per range) and holds under
 * {@link KEPT_INDICATOR_BYTES} (at most three outputs per indicator), so a sweep's shards
 * on one worker compute each indicator once, not once per shard.
 */
function indicatorsFor(bars: Bars): IndicatorCache {
  const kept = lastIndicators;
  if (kept && kept.bars === bars && kept.size * bars.time.length * 8 * 3 < KEPT_INDICATOR_BYTES)
    return kept;
  lastIndicators = new IndicatorCache(bars);
  return lastIndicators;
}

/** Why a set could not run, in one line. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a batch of one sweep's parameter sets: the series and the strategy version fetched
 * once, each distinct indicator (type + parameters) computed once and shared by every set
 * that uses it ({@link IndicatorCache}), each set's metrics computed exactly as a backtest
 * of it would compute them (the same configuration, the same engine call, metrics only) and
 * reported in batches. A set that cannot run fails alone, with its reason. Cancelled: the
 * sets finished so far are still reported, so a resume does not run them again.
 */
const shardHandler: JobHandler<SweepShardJob> = async (job, ctx: JobContext) => {
  const { symbol, timeframe } = job.data;
  const total = job.sets.set_index.length;
  series ??= new SeriesCache(join(ctx.cacheDir, 'series'));
  strategies ??= new StrategyCache();
  ctx.reportProgress({
    current_step: `loading ${symbol} ${timeframe}`,
    items_processed: 0,
    items_total: total,
  });
  const { bars } = await series.get(job.data, ctx.backend, ctx.signal);
  const base = await strategies.versionOf(
    job.strategy.name,
    job.strategy.base_hash,
    ctx.backend,
    ctx.signal,
  );
  // parsed once; each set copies only the objects along its swept paths
  const parsed = parseStrategyConfig(base);
  const indicators = indicatorsFor(bars);
  const computedBefore = indicators.size;
  const settings = {
    initialCapital: job.initial_capital,
    commission: job.commission,
    slippage: job.slippage,
  };
  const barCount = bars.time.length;
  const throttle = ctx.settings.throttleBarsPerSecond;
  const paths = Object.keys(job.sets.parameters);
  const batch = new SetBatch((results) => ctx.reportSets(results));
  const onTick = () => ctx.cancel.throwIfCancelled();
  const started = performance.now();
  let completed = 0;
  let failed = 0;
  try {
    for (let i = 0; i < total; i++) {
      ctx.cancel.throwIfCancelled();
      const setIndex = job.sets.set_index[i]!;
      const parameters = Object.fromEntries(
        paths.map((path) => [path, job.sets.parameters[path]![i]!]),
      );
      try {
        const strategy = withOverrides(parsed, parameters);
        // rules: synchronous (no await per set), the flags lent for the run and given back
        // (no two flag arrays made per set); a model's signals load it first
        const { signals, giveBack } =
          strategy.type === 'rules'
            ? lendSignals(strategy, bars, indicators)
            : {
                signals: await strategySignals(strategy, job.model_id, bars, ctx, indicators),
                giveBack: () => {},
              };
        try {
          const summary = runSignals(bars, signals, strategy, settings, {
            detail: 'metrics',
            onTick,
          });
          batch.completed(setIndex, summary, barCount);
        } finally {
          giveBack();
        }
        completed++;
      } catch (error) {
        if (error instanceof CancelledError || ctx.cancel.isCancelled) throw error;
        batch.failure(setIndex, reasonOf(error));
        failed++;
      }
      if (throttle) {
        // a speed cap for tests and demos: this shard's bars so far at `throttle` bars/s
        const wait = started + (((i + 1) * barCount) / throttle) * 1000 - performance.now();
        if (wait > 0 && ctx.cancel.sleep(wait)) throw new CancelledError();
      }
      // every 64 sets and the last (the runtime throttles further): a set may take 10 µs
      if ((i & 63) === 63 || i + 1 === total)
        ctx.reportProgress({
          current_step: `${job.strategy.name} on ${symbol} ${timeframe} · set ${i + 1} of ${total}`,
          items_processed: i + 1,
          items_total: total,
          context: { completed, failed, indicators_computed: indicators.size - computedBefore },
        });
    }
  } finally {
    // finished sets count even when the shard stops early
    batch.flush();
  }
  return {
    summary: {
      completed,
      failed,
      indicators_computed: indicators.size - computedBefore,
      seconds: Math.round(performance.now() - started) / 1000,
    },
  };
};

export default shardHandler;
