import type { SeriesSummary, StrategySummary } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type Dispatch } from 'react';
import { useClient } from '../api/client-context';
import { seriesQuery } from '../api/queries';
import type { DataValues } from './form-model';
import { clampDefaultEnd, today } from './stored-range';

/**
 * The stored series the form's symbol and timeframe name (undefined while unknown or not
 * stored at that bar size), and the end date's note when the default end was clamped to
 * its last bar. The clamp applies only while the end is still the default the strategy
 * put there (its `data.end_date`, or today when it names none): once the trader types an
 * end, it is theirs. `clampEnd` false turns the clamp off (and its note): the form's dates
 * come from elsewhere (a model's test split, which lies within the stored data).
 */
export function useStoredRange<T extends DataValues>(
  form: { values: T; update: Dispatch<(values: T) => T> },
  chosen: StrategySummary | undefined,
  clampEnd = true,
): { range: SeriesSummary | undefined; endNote: string | null } {
  const client = useClient();
  const series = useQuery(seriesQuery(client));
  const { symbol, timeframe, end_date: end } = form.values;
  const range = series.data?.series.find(
    (s) => s.symbol === symbol?.trim().toUpperCase() && s.timeframe === timeframe,
  );
  // the end this hook set, for the strategy it set it for
  const [clamped, setClamped] = useState<{ strategy: string; end: string; note: string } | null>(
    null,
  );
  const strategy = chosen?.name ?? null;
  const ownEnd = chosen?.data.end_date;
  const lastBar = range?.last_bar;
  const { update } = form;
  useEffect(() => {
    if (!clampEnd || strategy === null || lastBar === undefined) return;
    const mine = clamped?.strategy === strategy ? clamped : null;
    const proposed = ownEnd ?? today();
    const untouched =
      end === proposed || (mine !== null && end === mine.end) || (end === '' && !ownEnd && !mine);
    if (!untouched) return;
    const { end: next, note } = clampDefaultEnd(proposed, lastBar);
    if (next === end || note === null) return;
    setClamped({ strategy, end: next, note });
    update((f) => ({ ...f, end_date: next }));
  }, [clampEnd, strategy, ownEnd, lastBar, end, clamped, update]);
  const endNote =
    clampEnd && clamped !== null && clamped.strategy === strategy && clamped.end === end
      ? clamped.note
      : null;
  return { range, endNote };
}
