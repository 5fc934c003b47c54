import {
  IB_MAX_REQUEST_SPAN,
  TIMEFRAME_MS,
  type DownloadMode,
  type Timeframe,
} from '@ktrdr/shared';

const DAY_MS = 86_400_000;

/** An inclusive range of epoch ms. */
export interface TimeRange {
  start: number;
  end: number;
}

/** What a download will fetch, and why. */
export interface DownloadPlan {
  mode: DownloadMode;
  /** The ranges to fetch, each cut into spans one IB request can serve. Empty: nothing to do. */
  chunks: TimeRange[];
  /** Why the plan is what it is, for the operation's first progress step. */
  note: string;
}

/** The bounds of what is already stored for the series, if anything. */
export interface StoredBounds {
  first: number;
  last: number;
}

/**
 * Decides what to fetch. `full` fetches the whole requested range (stored bars at the same
 * times are replaced by IB's); `tail` only what comes after the last stored bar; `backfill`
 * only what comes before the first. The mode defaults to `tail` when the series exists,
 * else `full` (the wire contract, packages/shared/src/contracts).
 */
export function planDownload(input: {
  timeframe: Timeframe;
  range: TimeRange;
  mode?: DownloadMode | undefined;
  stored?: StoredBounds | undefined;
}): DownloadPlan {
  const { timeframe, range, stored } = input;
  const mode = input.mode ?? (stored ? 'tail' : 'full');
  const step = TIMEFRAME_MS[timeframe];
  let wanted: TimeRange | undefined = range;
  let note = `${mode}: ${iso(range.start)} → ${iso(range.end)}`;
  if (mode === 'tail' && stored) {
    wanted = { start: Math.max(range.start, stored.last + step), end: range.end };
    note = `tail: after the last stored bar (${iso(stored.last)})`;
  } else if (mode === 'backfill' && stored) {
    wanted = { start: range.start, end: Math.min(range.end, stored.first - 1) };
    note = `backfill: before the first stored bar (${iso(stored.first)})`;
  }
  if (wanted.end < wanted.start) {
    return { mode, chunks: [], note: `${note}: nothing to fetch, the store already covers it` };
  }
  return { mode, chunks: chunkRange(wanted, timeframe), note };
}

/**
 * Cuts a range into consecutive spans no longer than IB accepts in one request for the bar
 * size (1 D for 1-minute bars … 1 Y for daily), oldest first, without gap or overlap.
 */
export function chunkRange(range: TimeRange, timeframe: Timeframe): TimeRange[] {
  const span = IB_MAX_REQUEST_SPAN[timeframe].days * DAY_MS;
  const chunks: TimeRange[] = [];
  for (let start = range.start; start <= range.end; start += span) {
    chunks.push({ start, end: Math.min(range.end, start + span - 1) });
  }
  return chunks;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
