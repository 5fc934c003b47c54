import { TIMEFRAME_MS, type DataGap, type Timeframe } from '@ktrdr/shared';

const DAY_MS = 86_400_000;

const isWeekend = (ms: number) => {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
};

/** Weekdays strictly between two days (UTC). */
function weekdaysBetween(a: number, b: number): number {
  let n = 0;
  for (
    let d = Math.floor(a / DAY_MS) * DAY_MS + DAY_MS;
    d < Math.floor(b / DAY_MS) * DAY_MS;
    d += DAY_MS
  ) {
    if (!isWeekend(d)) n++;
  }
  return n;
}

/**
 * Finds holes in a sorted series that markets do not explain. Without the exchange's
 * calendar for the past (IB gives trading hours only for the days ahead), closures are
 * recognised by shape:
 * - weekends are closures;
 * - for daily bars, one missing weekday is a holiday; two or more in a row are a gap;
 * - for intraday bars, the time between one day's last bar and the next day's first is the
 *   overnight closure; inside a day, a missing bar is a gap; a whole missing weekday
 *   between two days with bars is a gap unless it is a lone one (a holiday).
 */
export function findGaps(times: ArrayLike<number>, timeframe: Timeframe): DataGap[] {
  const step = TIMEFRAME_MS[timeframe];
  const gaps: DataGap[] = [];
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1] as number;
    const b = times[i] as number;
    if (b - a <= step) continue;
    const sameDay = timeframe !== '1d' && Math.floor(a / DAY_MS) === Math.floor(b / DAY_MS);
    const unit = sameDay ? 'bars' : 'weekdays';
    let missing = 0;
    if (sameDay) missing = Math.round((b - a) / step) - 1;
    else {
      const weekdays = weekdaysBetween(a, b);
      missing = weekdays >= 2 ? weekdays : 0;
    }
    if (missing > 0) {
      gaps.push({
        after: new Date(a).toISOString(),
        before: new Date(b).toISOString(),
        unit,
        missing,
      });
    }
  }
  return gaps;
}
