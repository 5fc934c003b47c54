/** Exponential backoff: the first delay, doubled after each failure up to a ceiling. */
export class Backoff {
  private failures = 0;

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  /** The delay before the next attempt (and counts this failure). */
  next(): number {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 40);
    return delay;
  }

  /** Back to the first delay (after a success). */
  reset(): void {
    this.failures = 0;
  }
}
