/**
 * The first pass of the equity stats (./equity-stats.ts): Σ per-bar returns, Σ negative
 * returns², the deepest and longest drawdown from bar 0's peak, and with the closes Σ of
 * their per-bar returns. Taken bar by bar in order, range by range, by a
 * {@link ReturnSumsFeed}: the bar loop feeds it the bars it has written (so the pass reads
 * an equity still in the cache, and a run saves a pass over a million bars), and a lone
 * `equityStats` feeds it the whole curve at once. Either way every bar goes through the
 * same operations in the same order, so the sums are the same numbers.
 *
 * A drawdown is worked out once per stretch below a peak, from the stretch's lowest
 * equity, not on every bar of it: with the peak fixed and not negative, `1 − e / peak`
 * only falls as `e` rises (a rounded division and subtraction are monotonic), so the
 * stretch's largest is its lowest bar's, the same number. A negative peak or a NaN equity,
 * where that does not hold, takes every bar's.
 */

/** What the first pass sums; `closeSum` only with the closes (0 without). */
export interface ReturnSums {
  sum: number;
  downsideSq: number;
  maxDrawdown: number;
  maxDrawdownDuration: number;
  closeSum: number;
  /**
   * Stretches of bars whose return is known to be 0 (a flat stretch after its first bar),
   * as `[from, to)` pairs in order: the second pass needs no equity there. Empty when the
   * equity was taken whole.
   */
  zeroReturns: readonly number[];
}

// the running figures, slots of a feed's Float64Array (plain doubles in and out of the loops)
const SUM = 0;
const DOWNSIDE = 1;
const PEAK = 2;
const MAX_DRAWDOWN = 3;
const UNDERWATER_SINCE = 4;
const TROUGH = 5;
const MAX_DURATION = 6;
const PREVIOUS = 7;
const CLOSE_SUM = 8;
const PREVIOUS_CLOSE = 9;
const SLOTS = 10;

/**
 * Bar `i`'s simple return, `equity[i] / equity[i − 1] − 1`; 0 after a ruin (no capital
 * left to earn one on).
 */
export function barReturn(previous: number, current: number): number {
  return previous > 0 ? current / previous - 1 : 0;
}

/**
 * Takes the bars of `equity` (and `close`) in order: {@link take} up to a bar, or
 * {@link takeFlat} a stretch of bars that all hold the same equity (a flat position's
 * cash), whose returns are 0 and which leave the drawdowns as its first bar left them, so
 * only that bar and the closes' returns are worked out. Bars from `limit` on are left
 * until {@link finish} (the bar loop's last bar, whose equity the run's end may still
 * change when it closes a position there).
 */
export class ReturnSumsFeed {
  /** The first bar not taken yet. */
  next = 0;
  readonly #s = new Float64Array(SLOTS);
  readonly #zeroReturns: number[] = [];

  constructor(
    readonly equity: Float64Array,
    readonly close: Float64Array | undefined,
    /** Bars from here on wait for {@link finish}. */
    readonly limit: number = equity.length,
  ) {
    // until bar 0 is taken: no stretch below a peak (the only figure not 0 at the start)
    this.#s[UNDERWATER_SINCE] = -1;
  }

  /** Takes the bars up to `to` (not included), as written in the equity. */
  take(to: number): void {
    const end = Math.min(to, this.limit);
    if (this.next === 0 && end > 0) this.#start();
    const from = this.next;
    if (from >= end) return;
    if (this.close) sumWithCloses(this.equity, this.close, from, end, this.#s);
    else sumEquity(this.equity, from, end, this.#s);
    this.next = end;
  }

  /**
   * {@link take} up to `from`, then bars `from..to−1`, every one of which holds `value`.
   * After the first of them, each has the return `value / value − 1`, which is 0 unless
   * `value` is +∞ (that case takes every bar), and adding 0 changes no sum (neither is ever
   * −0); and each meets the drawdowns as the first left them: at its peak, or below it at
   * the same depth and not below the trough, so its figures change nothing either.
   */
  takeFlat(from: number, to: number, value: number): void {
    this.take(from + 1);
    const end = Math.min(to, this.limit);
    if (this.next >= end) return;
    if (value === Number.POSITIVE_INFINITY) {
      this.take(end);
      return;
    }
    if (this.close) sumCloses(this.close, this.next, end, this.#s);
    this.#zeroReturns.push(this.next, end);
    this.next = end;
  }

  /** Takes every bar left, the ones from `limit` on too, and returns the sums. */
  finish(): ReturnSums {
    const n = this.equity.length;
    if (this.next === 0 && n > 0) this.#start();
    const from = this.next;
    if (from < n) {
      if (this.close) sumWithCloses(this.equity, this.close, from, n, this.#s);
      else sumEquity(this.equity, from, n, this.#s);
    }
    this.next = n;
    const s = this.#s;
    let maxDrawdown = s[MAX_DRAWDOWN] as number;
    let maxDuration = s[MAX_DURATION] as number;
    const underwaterSince = s[UNDERWATER_SINCE] as number;
    if (underwaterSince >= 0) {
      maxDrawdown = Math.max(maxDrawdown, 1 - (s[TROUGH] as number) / (s[PEAK] as number));
      maxDuration = Math.max(maxDuration, n - underwaterSince);
    }
    return {
      sum: s[SUM] as number,
      downsideSq: s[DOWNSIDE] as number,
      maxDrawdown,
      maxDrawdownDuration: maxDuration,
      closeSum: s[CLOSE_SUM] as number,
      zeroReturns: this.#zeroReturns,
    };
  }

  /** Bar 0: no return; its own peak, unless it is NaN (then it is below it). */
  #start(): void {
    const s = this.#s;
    const first = this.equity[0] as number;
    s[SUM] = 0;
    s[DOWNSIDE] = 0;
    s[PEAK] = first;
    s[MAX_DRAWDOWN] = 0;
    s[UNDERWATER_SINCE] = -1;
    s[TROUGH] = 0;
    s[MAX_DURATION] = 0;
    s[PREVIOUS] = first;
    s[CLOSE_SUM] = 0;
    s[PREVIOUS_CLOSE] = this.close ? (this.close[0] as number) : 0;
    if (!(first >= first)) {
      s[UNDERWATER_SINCE] = 0;
      s[TROUGH] = first;
      s[MAX_DRAWDOWN] = Math.max(0, 1 - first / first);
    }
    this.next = 1;
  }
}

// One loop per kind of range, each a function of its own over plain numbers, that reads its
// figures from `s` and writes them back: a loop that tests for the closes on every bar, or
// that reads and writes the feed's fields, compiles to slower code.

/** Bars `from..to−1` (from 1 on) of the equity alone. */
function sumEquity(equity: Float64Array, from: number, to: number, s: Float64Array): void {
  let sum = s[SUM] as number;
  let downsideSq = s[DOWNSIDE] as number;
  let peak = s[PEAK] as number;
  let maxDrawdown = s[MAX_DRAWDOWN] as number;
  let underwaterSince = s[UNDERWATER_SINCE] as number;
  let trough = s[TROUGH] as number;
  let maxDuration = s[MAX_DURATION] as number;
  let previous = s[PREVIOUS] as number;
  for (let i = from; i < to; i++) {
    const e = equity[i] as number;
    const r = barReturn(previous, e);
    sum += r;
    // `if (r < 0) downsideSq += r * r` without a branch (random returns mispredict one;
    // so does Math.min, which tests for NaN and signed zeros): (r − |r|) / 2 is exactly r
    // when r < 0 and +0 otherwise, and adding +0 changes no sum (r is never NaN)
    const down = (r - Math.abs(r)) * 0.5;
    downsideSq += down * down;
    if (e >= peak) {
      if (underwaterSince >= 0) {
        // the stretch below the old peak ended at the bar before
        maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
        maxDuration = Math.max(maxDuration, i - underwaterSince);
      }
      peak = e;
      underwaterSince = -1;
    } else {
      if (underwaterSince < 0) {
        underwaterSince = i;
        trough = e;
      } else if (e < trough) {
        trough = e;
      }
      if (!(peak >= 0) || Number.isNaN(e)) maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
    previous = e;
  }
  s[SUM] = sum;
  s[DOWNSIDE] = downsideSq;
  s[PEAK] = peak;
  s[MAX_DRAWDOWN] = maxDrawdown;
  s[UNDERWATER_SINCE] = underwaterSince;
  s[TROUGH] = trough;
  s[MAX_DURATION] = maxDuration;
  s[PREVIOUS] = previous;
}

/**
 * {@link sumEquity}, and Σ of the closes' returns in the same loop: the two sums are
 * independent chains of additions, which overlap in one loop where two loops wait on each
 * in turn. The same body, not a shared helper (see above).
 */
function sumWithCloses(
  equity: Float64Array,
  close: Float64Array,
  from: number,
  to: number,
  s: Float64Array,
): void {
  let sum = s[SUM] as number;
  let downsideSq = s[DOWNSIDE] as number;
  let peak = s[PEAK] as number;
  let maxDrawdown = s[MAX_DRAWDOWN] as number;
  let underwaterSince = s[UNDERWATER_SINCE] as number;
  let trough = s[TROUGH] as number;
  let maxDuration = s[MAX_DURATION] as number;
  let previous = s[PREVIOUS] as number;
  let closeSum = s[CLOSE_SUM] as number;
  let previousClose = s[PREVIOUS_CLOSE] as number;
  for (let i = from; i < to; i++) {
    const e = equity[i] as number;
    const r = barReturn(previous, e);
    sum += r;
    const down = (r - Math.abs(r)) * 0.5;
    downsideSq += down * down;
    const c = close[i] as number;
    closeSum += barReturn(previousClose, c);
    previousClose = c;
    if (e >= peak) {
      if (underwaterSince >= 0) {
        maxDrawdown = Math.max(maxDrawdown, 1 - trough / peak);
        maxDuration = Math.max(maxDuration, i - underwaterSince);
      }
      peak = e;
      underwaterSince = -1;
    } else {
      if (underwaterSince < 0) {
        underwaterSince = i;
        trough = e;
      } else if (e < trough) {
        trough = e;
      }
      if (!(peak >= 0) || Number.isNaN(e)) maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
    previous = e;
  }
  s[SUM] = sum;
  s[DOWNSIDE] = downsideSq;
  s[PEAK] = peak;
  s[MAX_DRAWDOWN] = maxDrawdown;
  s[UNDERWATER_SINCE] = underwaterSince;
  s[TROUGH] = trough;
  s[MAX_DURATION] = maxDuration;
  s[PREVIOUS] = previous;
  s[CLOSE_SUM] = closeSum;
  s[PREVIOUS_CLOSE] = previousClose;
}

/** The closes' returns alone over bars `from..to−1` (a flat stretch's, after its first). */
function sumCloses(close: Float64Array, from: number, to: number, s: Float64Array): void {
  let closeSum = s[CLOSE_SUM] as number;
  let previousClose = s[PREVIOUS_CLOSE] as number;
  for (let i = from; i < to; i++) {
    const c = close[i] as number;
    closeSum += barReturn(previousClose, c);
    previousClose = c;
  }
  s[CLOSE_SUM] = closeSum;
  s[PREVIOUS_CLOSE] = previousClose;
}
