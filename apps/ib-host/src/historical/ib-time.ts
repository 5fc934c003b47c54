/**
 * Times in the shapes the TWS API reads and writes. Requests name their end in UTC
 * (`yyyyMMdd-HH:mm:ss`, a form every current TWS reads without a zone name); answers are
 * asked for as epoch seconds (formatDate 2), but daily bars always come as `yyyyMMdd`, and
 * some builds write `yyyyMMdd HH:mm:ss <zone>`: all are read here.
 */

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `yyyyMMdd-HH:mm:ss` (UTC) of an instant, as reqHistoricalData's endDateTime. */
export function formatIbUtc(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

const ZONE_ALIASES: Readonly<Record<string, string>> = { GMT: 'UTC', EST: 'America/New_York' };

/**
 * The instant a TWS date/time names: epoch seconds, `yyyyMMdd` (00:00 UTC: daily bars are
 * stamped at midnight UTC), or `yyyyMMdd[ |  |-]HH:mm:ss[ zone]` (UTC without a zone).
 * Throws on anything else, so a format IB changes shows up as an error, not as bad bars.
 */
export function parseIbTime(text: string): number {
  const trimmed = text.trim();
  if (/^\d{8}$/.test(trimmed)) {
    return Date.UTC(+trimmed.slice(0, 4), +trimmed.slice(4, 6) - 1, +trimmed.slice(6, 8));
  }
  if (/^\d{9,11}$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = /^(\d{4})(\d{2})(\d{2})(?:\s+|-)(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(
    trimmed,
  );
  if (!match) throw new Error(`unreadable TWS date/time "${text}"`);
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const zone = match[7];
  if (zone === undefined) return asUtc;
  return wallClockToEpoch(asUtc, ZONE_ALIASES[zone] ?? zone);
}

/** The UTC instant at which clocks in `timeZone` show the wall-clock time `asUtc` encodes. */
function wallClockToEpoch(asUtc: number, timeZone: string): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone "${timeZone}" in a TWS date/time`);
  }
  const wallClockAt = (epochMs: number): number => {
    const parts = Object.fromEntries(
      format.formatToParts(new Date(epochMs)).map((p) => [p.type, Number(p.value)]),
    ) as Record<string, number>;
    return Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
  };
  // two passes settle the zone's offset (exact outside the hour a DST switch skips)
  let guess = asUtc;
  for (let pass = 0; pass < 2; pass++) guess += asUtc - wallClockAt(guess);
  return guess;
}
