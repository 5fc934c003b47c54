import type { TradeRecord } from './metrics.js';
import type { TradeLog } from './trade-log.js';

export const FLAT = 0;
export const LONG = 1;
export const SHORT = -1;

/**
 * The time a fill is recorded with when the bar loop leaves it for the end of the run
 * ({@link TradeLog.record}; NaN: a bar time that is NaN itself is taken from the bar all
 * the same).
 */
export const UNTIMED = Number.NaN;

/** How a run sizes, protects and pays for its positions. */
export interface BookRules {
  sizing: 'fraction_of_equity' | 'fixed_units';
  sizingValue: number;
  stopLoss: number;
  takeProfit: number;
  leverage: number;
  commission: number;
  slippage: number;
}

/**
 * The cash, the open position and the closed trades of a run, and the fills that change
 * them. A class with fixed fields, not closures over the loop's variables: the loop reads
 * these few fields on the bars it holds a position, and keeps its own state in registers.
 */
export class Book {
  cash: number;
  /** 1 long, −1 short, 0 flat. */
  side = FLAT;
  units = 0;
  entryPrice = 0;
  entryTime = 0;
  entryIndex = 0;
  entryFees = 0;
  /** Protective exit prices of the open position (NaN when none). */
  stopPrice = Number.NaN;
  takePrice = Number.NaN;
  /**
   * The price at which equity reaches zero: cash and units only change with the position,
   * so it is worked out when one opens (or is restored), not on every bar it is held.
   */
  zeroAt = Number.NaN;
  skippedEntries = 0;
  /**
   * The lowest low and highest high of the open position's bars so far, from its entry bar
   * up to the bar before the one it closes at; the bar loop keeps them (in a full run) so
   * that the excursions need no pass of their own. NaN for a position the loop did not see
   * open (restored from a checkpoint).
   */
  lowest = Number.NaN;
  highest = Number.NaN;
  constructor(
    readonly rules: BookRules,
    cash: number,
    /** The trades closed before a checkpoint this run resumed from: they come first. */
    readonly restored: readonly TradeRecord[],
    /**
     * The trades this run closed, with the bars each opened and closed at and its
     * {@link lowest} and {@link highest} then, for its excursions.
     */
    readonly log: TradeLog,
  ) {
    this.cash = cash;
  }

  /** The trades closed so far, restored ones included. */
  get tradeCount(): number {
    return this.restored.length + this.log.count;
  }

  /** {@link entryTime}, timed from `time` if the fill was recorded {@link UNTIMED}. */
  entryTimeIn(time: Float64Array): number {
    return Number.isNaN(this.entryTime) ? (time[this.entryIndex] as number) : this.entryTime;
  }

  /** Recomputes {@link zeroAt} for the position held (after a restore). */
  restoreZero(): void {
    this.zeroAt = this.side !== FLAT && this.units > 0 ? this.zeroPrice() : Number.NaN;
  }

  private zeroPrice(): number {
    return this.side === LONG ? -this.cash / this.units : this.cash / this.units;
  }

  /** Closes the position; `reason` is one of the exit reasons of ./trade-log.ts. */
  close(price: number, at: number, index: number, reason: number): void {
    const { slippage, commission } = this.rules;
    const { side, units, entryPrice } = this;
    const fill = side === LONG ? price * (1 - slippage) : price * (1 + slippage);
    const fee = units * fill * commission;
    if (side === LONG) this.cash += units * fill - fee;
    else this.cash -= units * fill + fee;
    const gross = side === LONG ? (fill - entryPrice) * units : (entryPrice - fill) * units;
    this.log.add(
      this.entryTime,
      at,
      side,
      entryPrice,
      fill,
      units,
      gross - this.entryFees - fee,
      this.entryFees + fee,
      this.entryIndex,
      index,
      reason,
      this.lowest,
      this.highest,
    );
    this.side = FLAT;
    this.units = 0;
    this.stopPrice = Number.NaN;
    this.takePrice = Number.NaN;
  }

  open(target: number, price: number, at: number, index: number): void {
    const { slippage, commission, sizing, sizingValue, leverage, stopLoss, takeProfit } =
      this.rules;
    const cash = this.cash;
    const fill = target === LONG ? price * (1 + slippage) : price * (1 - slippage);
    const size =
      sizing === 'fixed_units' ? sizingValue : (cash * sizingValue) / (fill * (1 + commission));
    if (!(size > 0)) return;
    // flat here, so equity is the cash: no entry it cannot pay for (or borrow, with leverage)
    if (size * fill * (1 + commission) > cash * leverage * (1 + 1e-12)) {
      this.skippedEntries++;
      return;
    }
    const fee = size * fill * commission;
    if (target === LONG) this.cash -= size * fill + fee;
    else this.cash += size * fill - fee;
    this.side = target;
    this.units = size;
    this.entryPrice = fill;
    this.entryTime = at;
    this.entryIndex = index;
    this.entryFees = fee;
    this.stopPrice = stopLoss > 0 ? fill * (1 - target * stopLoss) : Number.NaN;
    this.takePrice = takeProfit > 0 ? fill * (1 + target * takeProfit) : Number.NaN;
    this.zeroAt = this.zeroPrice();
    // no bar lived through yet: the first bar's range replaces these
    this.lowest = Number.POSITIVE_INFINITY;
    this.highest = Number.NEGATIVE_INFINITY;
  }
}
