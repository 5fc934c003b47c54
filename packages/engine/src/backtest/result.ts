import {
  allocateTrades,
  codeOf,
  displayResultOf,
  DISPLAY_LIMITS,
  roundTo,
  type BacktestResult,
  type DisplayLimits,
  type FullResult,
  type Trade,
} from '@ktrdr/shared';
import type { BacktestOutput } from './engine.js';
import type { TradeRecord } from './metrics.js';

export { shapePreservingIndices, type DisplayLimits } from '@ktrdr/shared';

const iso = (ms: number) => new Date(ms).toISOString();

function trade(t: TradeRecord): Trade {
  return {
    entry_time: iso(t.entryTime),
    exit_time: iso(t.exitTime),
    side: t.side,
    entry_price: roundTo(t.entryPrice, 8),
    exit_price: roundTo(t.exitPrice, 8),
    size: roundTo(t.size, 8),
    pnl: roundTo(t.pnl, 6),
    fees: roundTo(t.fees, 6),
    exit_reason: t.exitReason,
    return_pct: roundTo(t.entryPrice * t.size > 0 ? t.pnl / (t.entryPrice * t.size) : 0, 10),
    bars_held: t.holdingBars,
    mae: t.mae ?? 0,
    mfe: t.mfe ?? 0,
  };
}

/**
 * A run's full result in the shared columnar form (what a worker stores as the binary
 * artifact): the engine's bar arrays as they are, the trades as a table of columns.
 */
export function toFullResult(output: BacktestOutput): FullResult {
  const n = output.equity.length;
  const trades = allocateTrades(output.trades.length);
  output.trades.forEach((t, i) => {
    trades.entry_time[i] = t.entryTime;
    trades.exit_time[i] = t.exitTime;
    trades.entry_price[i] = t.entryPrice;
    trades.exit_price[i] = t.exitPrice;
    trades.size[i] = t.size;
    trades.pnl[i] = t.pnl;
    trades.fees[i] = t.fees;
    // as the display result states it: net pnl over the entry notional
    trades.return_pct[i] = t.entryPrice * t.size > 0 ? t.pnl / (t.entryPrice * t.size) : 0;
    trades.bars_held[i] = t.holdingBars;
    trades.mae[i] = t.mae ?? 0;
    trades.mfe[i] = t.mfe ?? 0;
    trades.side[i] = codeOf(trades.sides, t.side, 'trade side');
    trades.exit_reason[i] = codeOf(trades.exitReasons, t.exitReason, 'trade exit reason');
  });
  return {
    summary: {
      metrics: output.metrics,
      skipped_entries: output.skippedEntries,
      ruin: ruinOf(output),
      ...(output.benchmark ? { benchmark: output.benchmark } : {}),
      ...(output.periods ? { periods: output.periods } : {}),
    },
    time: output.time.length === n ? output.time : output.time.subarray(0, n),
    equity: output.equity,
    drawdown: output.drawdown,
    trades,
  };
}

/**
 * The result the result route serves: all metrics, the equity curve downsampled to at
 * most `maxPoints` shape-preserving points, and the last `maxTrades` trades — made from
 * the full result ({@link toFullResult}) as the backend makes it from a stored one, so
 * both are the same text. The full curve and trade list go out as the binary artifact
 * (`@ktrdr/shared` full-result codec); {@link fullResultChunks} is their JSON form, the
 * engine's canonical text for its tests.
 */
export function toBacktestResult(
  output: BacktestOutput,
  limits: DisplayLimits = DISPLAY_LIMITS,
): BacktestResult {
  return displayResultOf(toFullResult(output), limits);
}

/** The ruin, said so a trader reads it: when equity reached zero. */
function ruinOf(output: BacktestOutput): BacktestResult['ruin'] {
  if (output.ruinTime === null) return null;
  const time = iso(output.ruinTime);
  return {
    time,
    message: `equity reached zero on ${time.slice(0, 10)}: the position was liquidated there and the run stopped trading`,
  };
}

/**
 * The full result (every bar, every trade) as JSON text in pieces, so a million-bar
 * curve is written or uploaded as a stream rather than built as one huge string.
 */
export function* fullResultChunks(output: BacktestOutput, batch = 10_000): Generator<string> {
  yield `{"metrics":${JSON.stringify(output.metrics)},"equity_curve":[`;
  const n = output.equity.length;
  const { time, equity, drawdown } = output;
  for (let from = 0; from < n; from += batch) {
    // built by hand: the same text JSON.stringify(point(…)) gives, several times faster
    let text = from > 0 ? ',' : '';
    for (let i = from; i < Math.min(n, from + batch); i++) {
      if (i > from) text += ',';
      text += `{"time":"${iso(time[i] as number)}","equity":${roundTo(equity[i] as number, 6)},"drawdown":${roundTo(drawdown[i] as number, 10)}}`;
    }
    yield text;
  }
  yield '],"trades":[';
  for (let from = 0; from < output.trades.length; from += batch) {
    yield (
      (from > 0 ? ',' : '') +
      output.trades
        .slice(from, from + batch)
        .map((t) => JSON.stringify(trade(t)))
        .join(',')
    );
  }
  yield `],"equity_points_total":${n},"trades_total":${output.trades.length},"skipped_entries":${output.skippedEntries},"ruin":${JSON.stringify(ruinOf(output))},"benchmark":${JSON.stringify(output.benchmark)},"periods":${JSON.stringify(output.periods)}}`;
}
