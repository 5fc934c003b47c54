import { parseDateInput, type Timeframe } from '@ktrdr/shared';
import { allocateBars, compactBars, type Bars } from './bars.js';

/** A CSV file was rejected; `row` is the 1-based line number in the file (the header is line 1). */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    message: string,
    readonly row: number | null,
    readonly column: string | null,
  ) {
    super(message);
  }
}

const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;

function parseTimestamp(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{9,13}$/.test(trimmed)) {
    const n = Number(trimmed);
    // 10 digits or fewer: seconds; more: milliseconds
    return trimmed.length <= 10 ? n * 1000 : n;
  }
  return parseDateInput(trimmed);
}

/**
 * Parses OHLCV CSV text: a header row naming `date` or `timestamp` and `open, high, low,
 * close, volume` (any order, any case; other columns ignored). Rejects the whole file on
 * the first bad row, naming its line and the reason, so nothing half-read is ever stored.
 */
export function parseBarsCsv(text: string, symbol: string, timeframe: Timeframe): Bars {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const timeIndex = header.findIndex(
    (h) => h === 'date' || h === 'timestamp' || h === 'time' || h === 'datetime',
  );
  if (timeIndex < 0) {
    throw new CsvFormatError('the header must have a "date" or "timestamp" column', 1, 'date');
  }
  const indexes: Record<string, number> = {};
  for (const column of [...PRICE_COLUMNS, 'volume']) {
    const at = header.indexOf(column);
    if (at < 0) throw new CsvFormatError(`the header has no "${column}" column`, 1, column);
    indexes[column] = at;
  }
  const bars = allocateBars(symbol, timeframe, lines.length);
  let n = 0;
  for (let lineNo = 2; lineNo <= lines.length; lineNo++) {
    const line = lines[lineNo - 1] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const t = parseTimestamp(cells[timeIndex] ?? '');
    if (t === undefined) {
      throw new CsvFormatError(
        `line ${lineNo}: "${cells[timeIndex] ?? ''}" is not a date or timestamp`,
        lineNo,
        header[timeIndex] ?? 'date',
      );
    }
    if (n > 0 && t <= (bars.time[n - 1] as number)) {
      throw new CsvFormatError(
        `line ${lineNo}: time ${new Date(t).toISOString()} is not after the previous row's; rows must be in strictly increasing time`,
        lineNo,
        header[timeIndex] ?? 'date',
      );
    }
    bars.time[n] = t;
    for (const column of [...PRICE_COLUMNS, 'volume'] as const) {
      const raw = cells[indexes[column] as number];
      const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(value)) {
        throw new CsvFormatError(
          `line ${lineNo}: ${column} "${raw ?? ''}" is not a number`,
          lineNo,
          column,
        );
      }
      if (value < 0) {
        throw new CsvFormatError(
          `line ${lineNo}: ${column} is negative (${value})`,
          lineNo,
          column,
        );
      }
      bars[column][n] = value;
    }
    if ((bars.high[n] as number) < (bars.low[n] as number)) {
      throw new CsvFormatError(
        `line ${lineNo}: high ${bars.high[n]} is below low ${bars.low[n]}`,
        lineNo,
        'high',
      );
    }
    n++;
  }
  if (n === 0) throw new CsvFormatError('the file has a header but no rows', null, null);
  return compactBars(bars, n);
}
