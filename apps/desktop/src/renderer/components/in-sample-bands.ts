import type { Segment, SegmentName } from '@ktrdr/shared';
import type { ShadedRange } from './chart-bands';

/** The segments of a model's data split that the model learnt from (early stopping watched validation). */
const IN_SAMPLE: ReadonlySet<SegmentName> = new Set(['train', 'validation']);

/**
 * A model backtest's in-sample stretches as chart bands ("train (in sample)" from its
 * first bar to its last in this run), so the curve the model saw in training is never
 * read as out-of-sample; none for a run without segments.
 */
export function inSampleBands(segments: readonly Segment[] | undefined): ShadedRange[] {
  return (segments ?? [])
    .filter((s) => IN_SAMPLE.has(s.segment))
    .map((s) => ({ from: s.start_date, to: s.end_date, label: `${s.segment} (in sample)` }));
}
