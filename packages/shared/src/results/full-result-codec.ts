/**
 * The binary form of a backtest's full result (docs/full-result-format.md): a preamble
 * with the magic "KTFR" and the format version, a JSON header, then little-endian columns
 * at 8-byte aligned offsets, so a decoder takes Float64Array views without copying and a
 * million bars cost 24 MB instead of ~90 MB of JSON.
 */
import type { IndicatorSeries } from '../contracts/backtests.js';
import {
  NO_EXIT_REASON,
  TRADE_FLOAT_COLUMNS,
  type FullResult,
  type FullResultDisplay,
  type FullResultSummary,
  type FullResultTrades,
  type TradeFloatColumn,
} from './full-result.js';

/** The media type of the binary full result (`GET …/result/full`). */
export const FULL_RESULT_MEDIA_TYPE = 'application/vnd.ktrdr.full-result';
/**
 * The version this build writes. Version 2 added the display-only fields (a model's
 * segments, the indicator series as columns per candle); this build reads 1 and 2.
 */
export const FULL_RESULT_FORMAT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

const MAGIC = [0x4b, 0x54, 0x46, 0x52]; // "KTFR"
const PREAMBLE_BYTES = 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A buffer that is not a full result this build can read: says what is wrong with it. */
export class FullResultFormatError extends Error {
  override readonly name = 'FullResultFormatError';
  constructor(message: string) {
    super(`full result: ${message}`);
  }
}

type ColumnType = 'f64' | 'u8';
type Rows = 'bars' | 'trades' | 'candles';
/** A column as the header lists it: its name, element type and which rows it has. */
interface ColumnEntry {
  name: string;
  type: ColumnType;
  rows: Rows;
}

/** An indicator series as the header describes it: each line's values are a column. */
interface IndicatorEntry extends Omit<IndicatorSeries, 'lines'> {
  lines: { name: string; column: string }[];
}

/** The display-only fields as the header holds them: indicator values are columns. */
type DisplayEntry = Omit<FullResultDisplay, 'indicators'> & { indicators?: IndicatorEntry[] };

/** The JSON header. Columns follow it in the order listed. */
interface Header {
  bars: number;
  trades: number;
  /** Candles of the indicator series (version 2, with `display`). */
  candles?: number;
  columns: ColumnEntry[];
  sides: string[];
  exit_reasons: string[];
  summary: FullResultSummary;
  display?: DisplayEntry;
}

/** The candle-time column of the indicator series. */
const CANDLE_TIME = 'candle_time';

const BAR_COLUMNS = ['time', 'equity', 'drawdown'] as const;
const COLUMNS: readonly ColumnEntry[] = [
  ...BAR_COLUMNS.map((name) => ({ name, type: 'f64' as const, rows: 'bars' as const })),
  ...TRADE_FLOAT_COLUMNS.map((name) => ({ name, type: 'f64' as const, rows: 'trades' as const })),
  { name: 'side', type: 'u8', rows: 'trades' },
  { name: 'exit_reason', type: 'u8', rows: 'trades' },
];

const BYTES: Record<ColumnType, number> = { f64: 8, u8: 1 };
const padded = (bytes: number) => Math.ceil(bytes / 8) * 8;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new FullResultFormatError('needs a little-endian machine');
}

function columnOf(result: FullResult, entry: ColumnEntry): Float64Array | Uint8Array {
  if (entry.rows === 'bars') return result[entry.name as (typeof BAR_COLUMNS)[number]];
  return result.trades[entry.name as keyof FullResultTrades] as Float64Array | Uint8Array;
}

const bytesOf = (values: Float64Array | Uint8Array) =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/** Non-finite values stand for null (warm-up) in an indicator column. */
function columnFrom(values: readonly (number | null)[]): Float64Array {
  // a plain loop: Float64Array.from with a mapping function is several times slower
  const column = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) column[i] = values[i] ?? Number.NaN;
  return column;
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The display-only fields split into the header's part and the indicator columns. Every
 * line of every series is sampled at the same candles (the price chart's), so their
 * times are one column; a series at other times is refused rather than stored wrong.
 */
function displayParts(display: FullResultDisplay | undefined): {
  entry?: DisplayEntry;
  candles: number;
  columns: { entry: ColumnEntry; values: Float64Array }[];
} {
  if (!display) return { candles: 0, columns: [] };
  const { indicators, ...rest } = display;
  if (!indicators) return { entry: { ...rest }, candles: 0, columns: [] };
  const times = indicators[0]?.lines[0]?.time ?? [];
  const columns = [
    {
      entry: { name: CANDLE_TIME, type: 'f64', rows: 'candles' } as ColumnEntry,
      values: columnFrom(times),
    },
  ];
  const entries = indicators.map((series, s) => ({
    ...series,
    lines: series.lines.map((line, l) => {
      if (line.time !== times && !sameTimes(line.time, times))
        throw new FullResultFormatError(
          `indicator ${series.id}'s ${line.name} is not sampled at the same candles as the others`,
        );
      const column = `indicator_${s}_${l}`;
      columns.push({
        entry: { name: column, type: 'f64', rows: 'candles' },
        values: columnFrom(line.value),
      });
      return { name: line.name, column };
    }),
  }));
  // the header keeps the fields in their order, the indicators where they were
  const entry = Object.fromEntries(
    Object.entries(display).map(([key, value]) => [key, key === 'indicators' ? entries : value]),
  ) as DisplayEntry;
  return { entry, candles: times.length, columns };
}

/**
 * The binary full result as parts to write one after another (a stream, a file): the
 * preamble and header, then each column as a view onto its array (nothing copied).
 */
export function encodeFullResultParts(result: FullResult): Uint8Array[] {
  requireLittleEndian();
  const bars = result.time.length;
  const trades = result.trades.count;
  for (const entry of COLUMNS) {
    const want = entry.rows === 'bars' ? bars : trades;
    const got = columnOf(result, entry)?.length;
    if (got !== want)
      throw new FullResultFormatError(
        `column ${entry.name} has ${got ?? 'no'} values, but there are ${want} ${entry.rows}`,
      );
  }
  const display = displayParts(result.display);
  const header: Header = {
    bars,
    trades,
    ...(display.entry ? { candles: display.candles } : {}),
    columns: [...COLUMNS, ...display.columns.map((c) => c.entry)],
    sides: [...result.trades.sides],
    exit_reasons: [...result.trades.exitReasons],
    summary: result.summary,
    ...(display.entry ? { display: display.entry } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(padded(PREAMBLE_BYTES + json.length));
  head.set(MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint16(4, FULL_RESULT_FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  head.set(json, PREAMBLE_BYTES);
  const parts: Uint8Array[] = [head];
  const values = [
    ...COLUMNS.map((entry) => columnOf(result, entry)),
    ...display.columns.map((c) => c.values),
  ];
  for (const column of values) {
    const bytes = bytesOf(column);
    parts.push(bytes);
    const pad = padded(bytes.length) - bytes.length;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  return parts;
}

/** The binary full result in one buffer (see {@link encodeFullResultParts} to stream it). */
export function encodeFullResult(result: FullResult): Uint8Array {
  const parts = encodeFullResultParts(result);
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const countOf = (header: Header, rows: Rows) =>
  rows === 'bars' ? header.bars : rows === 'trades' ? header.trades : (header.candles ?? 0);

function parseHeader(bytes: Uint8Array, length: number): Header {
  let header: Partial<Header>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<Header>;
  } catch (error) {
    throw new FullResultFormatError(
      `its ${length}-byte header is not JSON (${(error as Error).message}): the file is corrupt`,
    );
  }
  const problem =
    !header || typeof header !== 'object'
      ? 'is not an object'
      : !isCount(header.bars)
        ? 'has no bar count'
        : !isCount(header.trades)
          ? 'has no trade count'
          : !Array.isArray(header.columns) ||
              !header.columns.every(
                (c) =>
                  c &&
                  typeof c.name === 'string' &&
                  (c.type === 'f64' || c.type === 'u8') &&
                  (c.rows === 'bars' ||
                    c.rows === 'trades' ||
                    (c.rows === 'candles' && isCount(header.candles))),
              )
            ? 'has no valid column list'
            : !Array.isArray(header.sides) || !Array.isArray(header.exit_reasons)
              ? 'has no side or exit-reason table'
              : !header.summary || typeof header.summary.metrics !== 'object'
                ? 'has no metrics'
                : header.display !== undefined &&
                    (typeof header.display !== 'object' ||
                      (header.display.indicators !== undefined &&
                        !Array.isArray(header.display.indicators)))
                  ? 'has display fields that are not an object'
                  : undefined;
  if (problem) throw new FullResultFormatError(`the header ${problem}: the file is corrupt`);
  return header as Header;
}

/**
 * The full result in a buffer made by {@link encodeFullResult}. Float64 columns are views
 * onto `bytes` when it is 8-byte aligned (a fetched body, a file read whole), copies
 * otherwise. A buffer that is not one, is of another version, is cut short or is corrupt
 * throws a {@link FullResultFormatError} saying so, never returns garbage.
 */
export function decodeFullResult(bytes: Uint8Array): FullResult {
  requireLittleEndian();
  if (bytes.byteLength < PREAMBLE_BYTES)
    throw new FullResultFormatError(
      `${bytes.byteLength} bytes is shorter than its ${PREAMBLE_BYTES}-byte preamble: the file is empty or cut short`,
    );
  if (MAGIC.some((b, i) => bytes[i] !== b))
    throw new FullResultFormatError(
      'does not start with "KTFR": this is not a ktrdr full result (a JSON one starts with "{")',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (!READABLE_VERSIONS.includes(version))
    throw new FullResultFormatError(
      `format version ${version} is not one this build reads (versions ${READABLE_VERSIONS.join(' and ')}): update ktrdr`,
    );
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > bytes.byteLength)
    throw new FullResultFormatError(
      `its header says ${headerLength} bytes but only ${bytes.byteLength - PREAMBLE_BYTES} follow: the file is cut short`,
    );
  const header = parseHeader(
    bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength),
    headerLength,
  );

  // where each listed column lies; the file ends exactly after the last one
  const spans = new Map<string, { entry: ColumnEntry; offset: number; count: number }>();
  let offset = padded(PREAMBLE_BYTES + headerLength);
  for (const entry of header.columns) {
    const count = countOf(header, entry.rows);
    spans.set(entry.name, { entry, offset, count });
    offset += padded(count * BYTES[entry.type]);
  }
  if (offset !== bytes.byteLength)
    throw new FullResultFormatError(
      offset > bytes.byteLength
        ? `${header.bars} bars and ${header.trades} trades need ${offset} bytes but it has ${bytes.byteLength}: the file is cut short`
        : `it has ${bytes.byteLength - offset} bytes after its last column: the file is corrupt`,
    );

  const column = <T extends ColumnType>(
    name: string,
    type: T,
    rows: Rows,
  ): T extends 'f64' ? Float64Array : Uint8Array => {
    const span = spans.get(name);
    if (!span || span.entry.type !== type || span.entry.rows !== rows)
      throw new FullResultFormatError(
        `it has no ${type} column "${name}" per ${rows.slice(0, -1)}`,
      );
    const at = bytes.byteOffset + span.offset;
    if (type === 'u8') return new Uint8Array(bytes.buffer, at, span.count) as never;
    if (at % 8 === 0) return new Float64Array(bytes.buffer, at, span.count) as never;
    // a view at an unaligned offset (a slice of a pooled Buffer): copy into an aligned array
    const copy = new Float64Array(span.count);
    new Uint8Array(copy.buffer).set(bytes.subarray(span.offset, span.offset + span.count * 8));
    return copy as never;
  };

  const trades: FullResultTrades = {
    ...(Object.fromEntries(
      TRADE_FLOAT_COLUMNS.map((name) => [name, column(name, 'f64', 'trades')]),
    ) as Record<TradeFloatColumn, Float64Array>),
    count: header.trades,
    sides: header.sides,
    exitReasons: header.exit_reasons,
    side: column('side', 'u8', 'trades'),
    exit_reason: column('exit_reason', 'u8', 'trades'),
  };
  for (let i = 0; i < trades.count; i++) {
    const side = trades.side[i] as number;
    const reason = trades.exit_reason[i] as number;
    if (
      side >= trades.sides.length ||
      (reason >= trades.exitReasons.length && reason !== NO_EXIT_REASON)
    )
      throw new FullResultFormatError(
        `trade ${i} has side code ${side} and exit-reason code ${reason}, outside its tables: the file is corrupt`,
      );
  }
  const display =
    header.display && displayOf(header.display, (name) => column(name, 'f64', 'candles'));
  return {
    summary: header.summary,
    time: column('time', 'f64', 'bars'),
    equity: column('equity', 'f64', 'bars'),
    drawdown: column('drawdown', 'f64', 'bars'),
    trades,
    ...(display ? { display } : {}),
  };
}

/** The display-only fields of a header, each indicator line read from its column. */
function displayOf(entry: DisplayEntry, column: (name: string) => Float64Array): FullResultDisplay {
  // every line is at the same candles: their times are read once, not per series
  let time: number[] | undefined;
  const indicators = (series: IndicatorEntry): IndicatorSeries => {
    if (!series || !Array.isArray(series.lines))
      throw new FullResultFormatError('an indicator series has no lines: the file is corrupt');
    const candleTime = (time ??= Array.from(column(CANDLE_TIME)));
    return {
      ...series,
      lines: series.lines.map((line) => {
        if (!line || typeof line.column !== 'string')
          throw new FullResultFormatError(
            `indicator ${series.id} has a line without a column: the file is corrupt`,
          );
        const values = column(line.column);
        const value = new Array<number | null>(values.length);
        for (let i = 0; i < values.length; i++) {
          const v = values[i] as number;
          value[i] = Number.isFinite(v) ? v : null;
        }
        return { name: line.name, time: candleTime, value };
      }),
    };
  };
  return Object.fromEntries(
    Object.entries(entry).map(([key, value]) => [
      key,
      key === 'indicators' ? (value as IndicatorEntry[]).map(indicators) : value,
    ]),
  );
}
