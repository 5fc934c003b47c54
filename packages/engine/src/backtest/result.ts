import type { BacktestResult, EquityPoint, Trade } from '@ktrdr/shared';
import type { BacktestOutput } from './engine.js';
import type { TradeRecord } from './metrics.js';

const iso = (ms: number) => new Date(ms).toISOString();

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Indices that keep the shape of a series in at most `maxPoints` points: per bucket its
 * first, lowest, highest and last point (so every peak, trough and drawdown survives),
 * plus the series' own first and last.
 */
export function shapePreservingIndices(values: Float64Array, maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = n / buckets;
  const picked: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    // the last bucket ends at the last point: (b + 1) × size can round to just below n
    const to = b === buckets - 1 ? n : Math.min(n, Math.floor((b + 1) * size));
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if ((values[i] as number) < (values[lo] as number)) lo = i;
      if ((values[i] as number) > (values[hi] as number)) hi = i;
    }
    for (const i of [from, Math.min(lo, hi), Math.max(lo, hi), to - 1])
      if (picked[picked.length - 1] !== i) picked.push(i);
  }
  return picked;
}

function point(output: BacktestOutput, i: number): EquityPoint {
  return {
    time: iso(output.time[i] as number),
    equity: round(output.equity[i] as number, 6),
    drawdown: round(output.drawdown[i] as number, 10),
  };
}

function trade(t: TradeRecord): Trade {
  return {
    entry_time: iso(t.entryTime),
    exit_time: iso(t.exitTime),
    side: t.side,
    entry_price: round(t.entryPrice, 8),
    exit_price: round(t.exitPrice, 8),
    size: round(t.size, 8),
    pnl: round(t.pnl, 6),
    fees: round(t.fees, 6),
    exit_reason: t.exitReason,
    return_pct: round(t.entryPrice * t.size > 0 ? t.pnl / (t.entryPrice * t.size) : 0, 10),
    bars_held: t.holdingBars,
    mae: t.mae ?? 0,
    mfe: t.mfe ?? 0,
  };
}

/** Limits of the display result. */
export interface DisplayLimits {
  maxPoints: number;
  maxTrades: number;
}

/**
 * The result the result route serves: all metrics, the equity curve downsampled to at
 * most `maxPoints` shape-preserving points, and the last `maxTrades` trades. The full
 * curve and trade list go out as the binary artifact (`@ktrdr/shared` full-result codec);
 * {@link fullResultChunks} is their JSON form, the engine's canonical text for its tests.
 */
export function toBacktestResult(
  output: BacktestOutput,
  limits: DisplayLimits = { maxPoints: 5000, maxTrades: 5000 },
): BacktestResult {
  const indices = shapePreservingIndices(output.equity, limits.maxPoints);
  const trades =
    output.trades.length > limits.maxTrades
      ? output.trades.slice(-limits.maxTrades)
      : output.trades;
  return {
    metrics: output.metrics,
    equity_curve: indices.map((i) => point(output, i)),
    trades: trades.map(trade),
    equity_points_total: output.equity.length,
    trades_total: output.trades.length,
    skipped_entries: output.skippedEntries,
    ruin: ruinOf(output),
    benchmark: output.benchmark,
    periods: output.periods,
  };
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
      text += `{"time":"${iso(time[i] as number)}","equity":${round(equity[i] as number, 6)},"drawdown":${round(drawdown[i] as number, 10)}}`;
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
