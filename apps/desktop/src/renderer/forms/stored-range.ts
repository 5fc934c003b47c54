// What the data catalogue says about the chosen series, as the date fields show it, and the
// one adjustment the form makes by itself: a default end past the last stored bar.

/** The catalogue's span of a stored series (GET /api/v1/data). */
export interface StoredSpan {
  first_bar: string;
  last_bar: string;
  bar_count: number;
}

/** The calendar day of a catalogue timestamp (`2020-04-17T00:00:00Z` → `2020-04-17`). */
export const dayOf = (timestamp: string): string => timestamp.slice(0, 10);

/** "Stored: 2000-01-03 → 2020-04-17 · 5,114 bars". */
export function storedRangeText(span: StoredSpan): string {
  const bars = `${span.bar_count.toLocaleString('en-US')} bar${span.bar_count === 1 ? '' : 's'}`;
  return `Stored: ${dayOf(span.first_bar)} → ${dayOf(span.last_bar)} · ${bars}`;
}

/**
 * A default end (the strategy's own, or today) that lies past the last stored bar becomes
 * that bar, with the note that says so; one within the data stays as it is. Only for
 * defaults: what the trader typed is sent as typed and the API says what is wrong with it.
 */
export function clampDefaultEnd(
  proposed: string,
  lastBar: string,
): { end: string; note: string | null } {
  const last = dayOf(lastBar);
  // YYYY-MM-DD strings compare as dates; anything else is left for the API to judge
  if (!/^\d{4}-\d{2}-\d{2}$/.test(proposed) || proposed <= last)
    return { end: proposed, note: null };
  return { end: last, note: `end set to the last stored bar, ${last}` };
}

/** Today as YYYY-MM-DD (UTC, as the bars are). */
export const today = (now = new Date()): string => now.toISOString().slice(0, 10);
