import { EXIT_REASONS } from '@ktrdr/shared';
import type { ExitReason, TradeRecord } from './metrics.js';

/**
 * Why a position was closed, as the bar loop passes it: the full result format's code, an
 * index into its `EXIT_REASONS` (@ktrdr/shared).
 */
export const SIGNAL = 0;
export const REVERSE = 1;
export const STOP_LOSS = 2;
export const TAKE_PROFIT = 3;
export const END_OF_DATA = 4;
export const RUIN = 5;

// a trade's numbers, one row of {@link TradeLog.rows}
const ENTRY_TIME = 0;
const EXIT_TIME = 1;
const SIDE = 2;
const ENTRY_PRICE = 3;
const EXIT_PRICE = 4;
const SIZE = 5;
const PNL = 6;
const FEES = 7;
const ENTRY_INDEX = 8;
const EXIT_INDEX = 9;
const REASON = 10;
const LOWEST = 11;
const HIGHEST = 12;
const STRIDE = 13;

/**
 * The trades a run closes, as rows of numbers in one growing typed array rather than as
 * objects: objects made in the bar loop live to its end, and every scavenge on the way
 * copies them all (some 330 bytes a trade); a typed array's numbers are never copied. The
 * trade objects are made once, at the end ({@link record}), and none in a metrics-only run.
 * Rows are only ever appended, so a checkpoint can read the first `count` later.
 */
export class TradeLog {
  count = 0;

  /** `rows`: where to start, its contents left over (a buffer lent for the run). */
  constructor(public rows: Float64Array = new Float64Array(256 * STRIDE)) {}

  /**
   * Appends a closed trade. Times may be NaN (the loop leaves them for later): {@link record}
   * takes them from the bars it opened and closed at.
   */
  add(
    entryTime: number,
    exitTime: number,
    side: number,
    entryPrice: number,
    exitPrice: number,
    size: number,
    pnl: number,
    fees: number,
    entryIndex: number,
    exitIndex: number,
    reason: number,
    lowest: number,
    highest: number,
  ): void {
    let rows = this.rows;
    const at = this.count * STRIDE;
    if (at + STRIDE > rows.length) {
      const grown = new Float64Array(rows.length * 2);
      grown.set(rows);
      this.rows = rows = grown;
    }
    rows[at + ENTRY_TIME] = entryTime;
    rows[at + EXIT_TIME] = exitTime;
    rows[at + SIDE] = side;
    rows[at + ENTRY_PRICE] = entryPrice;
    rows[at + EXIT_PRICE] = exitPrice;
    rows[at + SIZE] = size;
    rows[at + PNL] = pnl;
    rows[at + FEES] = fees;
    rows[at + ENTRY_INDEX] = entryIndex;
    rows[at + EXIT_INDEX] = exitIndex;
    rows[at + REASON] = reason;
    rows[at + LOWEST] = lowest;
    rows[at + HIGHEST] = highest;
    this.count++;
  }

  /** The `k`-th trade's net pnl, for the metrics. */
  pnl(k: number): number {
    return this.rows[k * STRIDE + PNL] as number;
  }

  /** The `k`-th trade's bars held, for the metrics. */
  holdingBars(k: number): number {
    return this.exitIndex(k) - this.entryIndex(k);
  }

  /** The bars the `k`-th trade opened and closed at. */
  entryIndex(k: number): number {
    return this.rows[k * STRIDE + ENTRY_INDEX] as number;
  }

  exitIndex(k: number): number {
    return this.rows[k * STRIDE + EXIT_INDEX] as number;
  }

  /** The lowest low and highest high the loop followed the `k`-th trade through (see `Book`). */
  lowest(k: number): number {
    return this.rows[k * STRIDE + LOWEST] as number;
  }

  highest(k: number): number {
    return this.rows[k * STRIDE + HIGHEST] as number;
  }

  /**
   * The `k`-th trade as the run returns it (a time left NaN taken from `time` at its bar),
   * with `mae` and `mfe` when `excursions` (set later: NaN until then) and without them
   * otherwise (a checkpoint's trades).
   */
  record(k: number, time: Float64Array, excursions: boolean): TradeRecord {
    const rows = this.rows;
    const at = k * STRIDE;
    const entryIndex = rows[at + ENTRY_INDEX] as number;
    const exitIndex = rows[at + EXIT_INDEX] as number;
    let entryTime = rows[at + ENTRY_TIME] as number;
    let exitTime = rows[at + EXIT_TIME] as number;
    if (Number.isNaN(entryTime)) entryTime = time[entryIndex] as number;
    if (Number.isNaN(exitTime)) exitTime = time[exitIndex] as number;
    const side = rows[at + SIDE] === 1 ? 'long' : 'short';
    const entryPrice = rows[at + ENTRY_PRICE] as number;
    const exitPrice = rows[at + EXIT_PRICE] as number;
    const size = rows[at + SIZE] as number;
    const pnl = rows[at + PNL] as number;
    const fees = rows[at + FEES] as number;
    const holdingBars = exitIndex - entryIndex;
    const exitReason = EXIT_REASONS[rows[at + REASON] as number] as ExitReason;
    // the fields in the order the trades have always had them (one literal: one shape)
    return excursions
      ? {
          entryTime,
          exitTime,
          side,
          entryPrice,
          exitPrice,
          size,
          pnl,
          fees,
          holdingBars,
          exitReason,
          mae: Number.NaN,
          mfe: Number.NaN,
        }
      : {
          entryTime,
          exitTime,
          side,
          entryPrice,
          exitPrice,
          size,
          pnl,
          fees,
          holdingBars,
          exitReason,
        };
  }
}
