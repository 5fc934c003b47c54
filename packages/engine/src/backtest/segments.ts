import type { BacktestResult, Segment, SegmentName } from '@ktrdr/shared';
import { computeMetrics, type TradeRecord } from './metrics.js';

/** The first and last bar (epoch ms) of each part of a model's split; null for an empty part. */
export interface SplitBoundaries {
  train: { start: number; end: number };
  validation: { start: number; end: number } | null;
  test: { start: number; end: number } | null;
}

/**
 * The part of the model's data a bar at `time` falls in. The parts are consecutive in
 * time: a bar from one part's first bar up to the next part's first bar belongs to it;
 * before the first training bar is `before_training`, after the last bar the model saw
 * (its test part's last) is `after_training`.
 */
export function segmentOf(time: number, split: SplitBoundaries): SegmentName {
  const lastSeen = split.test?.end ?? split.validation?.end ?? split.train.end;
  if (time < split.train.start) return 'before_training';
  if (time > lastSeen) return 'after_training';
  if (split.test && time >= split.test.start) return 'test';
  if (split.validation && time >= split.validation.start) return 'validation';
  return 'train';
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A model backtest's bars split by the model's data split into consecutive segments, each
 * with its own figures (docs/metrics.md, "Segments"): the curve of a segment starts from
 * the equity at the close of the bar before it (so the segments' returns compound to the
 * run's), and a trade belongs to the segment of its entry bar.
 */
export function splitSegments(
  time: Float64Array,
  equity: Float64Array,
  trades: readonly TradeRecord[],
  split: SplitBoundaries,
): Segment[] {
  const n = Math.min(time.length, equity.length);
  const segments: Segment[] = [];
  let from = 0;
  while (from < n) {
    const name = segmentOf(time[from] as number, split);
    let to = from + 1;
    while (to < n && segmentOf(time[to] as number, split) === name) to++;
    const base = from > 0 ? from - 1 : from;
    const first = time[from] as number;
    const last = time[to - 1] as number;
    const own = trades.filter((t) => t.entryTime >= first && t.entryTime <= last);
    const m = computeMetrics(time.subarray(base, to), equity.subarray(base, to), own, 0);
    segments.push({
      segment: name,
      start_date: iso(first),
      end_date: iso(last),
      bars: to - from,
      metrics: {
        total_return: m.total_return,
        sharpe_ratio: m.sharpe_ratio,
        max_drawdown: m.max_drawdown,
        total_trades: m.total_trades,
        win_rate: m.win_rate,
      },
    });
    from = to;
  }
  return segments;
}

/**
 * The result's segment fields for a model backtest: present only when the range overlaps
 * the bars the model learnt from (its train or validation part), with the share of the
 * range that did, said so a trader reads it.
 */
export function inSampleFields(
  time: Float64Array,
  equity: Float64Array,
  trades: readonly TradeRecord[],
  split: SplitBoundaries,
): Pick<BacktestResult, 'segments' | 'in_sample'> {
  const segments = splitSegments(time, equity, trades, split);
  const bars = (name: SegmentName) =>
    segments.filter((s) => s.segment === name).reduce((sum, s) => sum + s.bars, 0);
  const train = bars('train');
  const validation = bars('validation');
  const total = segments.reduce((sum, s) => sum + s.bars, 0);
  if (train + validation === 0 || total === 0) return {};
  const fraction = (train + validation) / total;
  return {
    segments,
    in_sample: {
      fraction: Math.round(fraction * 1e6) / 1e6,
      message: `${Math.round(fraction * 100)} % of this range was used in training (${train} bars of its train part, ${validation} of its validation part): the metrics over them are in-sample; only the other segments are out-of-sample`,
    },
  };
}
