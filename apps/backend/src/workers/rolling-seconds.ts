/**
 * A ring of per-second buckets: the last `seconds` seconds of one running quantity (busy
 * milliseconds, jobs completed). Adding is O(1) for a point and O(seconds spanned) for a
 * span — bounded by the ring's length, whatever the span; reading sums the ring. Time
 * moves forward only: `advance` clears the buckets that fell out of the window.
 */
export class RollingSeconds {
  private readonly buckets: Float64Array;
  /**
   * The second (epoch ms ÷ 1000, floored) the newest bucket stands for; 0 before the first
   * use (so the first `advance` clears the whole ring).
   */
  private head = 0;

  constructor(readonly seconds: number) {
    if (!Number.isInteger(seconds) || seconds < 1)
      throw new RangeError(`seconds must be a positive integer, got ${seconds}`);
    this.buckets = new Float64Array(seconds);
  }

  /** The bucket of `second` (non-negative: epoch seconds). */
  private slot(second: number): number {
    return second % this.seconds;
  }

  /** Moves the ring to `nowMs`, clearing the seconds that left it (at most its length). */
  advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.head) return;
    const gone = Math.min(this.seconds, second - this.head);
    // walk the cleared buckets with a wrapping index: one modulo, not one per bucket
    let at = this.slot(second - gone + 1);
    for (let i = 0; i < gone; i++) {
      this.buckets[at] = 0;
      at = at + 1 === this.seconds ? 0 : at + 1;
    }
    this.head = second;
  }

  /** Adds `value` at instant `atMs` (dropped when it is older than the window). */
  add(atMs: number, value: number): void {
    this.advance(atMs);
    const second = Math.floor(atMs / 1000);
    if (second <= this.head - this.seconds) return;
    this.buckets[this.slot(second)]! += value;
  }

  /**
   * Adds the milliseconds of `[startMs, endMs)` to the seconds they fall in, ending the ring
   * at `endMs`; the part older than the window is dropped.
   */
  addSpan(startMs: number, endMs: number): void {
    this.advance(endMs);
    let from = Math.max(startMs, (this.head - this.seconds + 1) * 1000);
    while (from < endMs) {
      const second = Math.floor(from / 1000);
      const to = Math.min(endMs, (second + 1) * 1000);
      this.buckets[this.slot(second)]! += to - from;
      from = to;
    }
  }

  /** The sum over the last `lastSeconds` seconds up to `nowMs` (the whole ring by default). */
  sum(nowMs: number, lastSeconds = this.seconds): number {
    this.advance(nowMs);
    const n = Math.min(lastSeconds, this.seconds);
    let at = this.slot(this.head);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += this.buckets[at]!;
      at = at === 0 ? this.seconds - 1 : at - 1;
    }
    return total;
  }
}
