/**
 * Per-bar work buffers that a run borrows and gives back, so that runs over the same
 * series (a sweep's sets) stop allocating and collecting megabytes each: what a run
 * returns is never one of them. A buffer lent out and not yet given back (a hook that
 * starts another run inside a run) is not lent twice; the second borrower gets a new one.
 * They stay allocated at the largest size used (8 bytes a bar each, a byte for flags) for
 * the thread's life: a lone run's equity (metrics-only), its indicator series and its flags.
 */

const idle = new Map<string, Float64Array>();

/** A buffer of `n` values for `name`, its contents left over from earlier use. */
export function borrowBuffer(name: string, n: number): Float64Array {
  const buffer = idle.get(name);
  if (buffer && buffer.length >= n) {
    idle.delete(name);
    return buffer.length === n ? buffer : buffer.subarray(0, n);
  }
  return new Float64Array(n);
}

/** Gives a borrowed buffer back; keeps the larger of it and what is kept already. */
export function returnBuffer(name: string, buffer: Float64Array): void {
  const whole = new Float64Array(buffer.buffer);
  const kept = idle.get(name);
  if (!kept || kept.length < whole.length) idle.set(name, whole);
}

const idleFlags = new Map<string, Uint8Array>();

/** {@link borrowBuffer} for per-bar flags (a byte a bar). */
export function borrowFlags(name: string, n: number): Uint8Array {
  const buffer = idleFlags.get(name);
  if (buffer && buffer.length >= n) {
    idleFlags.delete(name);
    return buffer.length === n ? buffer : buffer.subarray(0, n);
  }
  return new Uint8Array(n);
}

/** {@link returnBuffer} for flags. */
export function returnFlags(name: string, buffer: Uint8Array): void {
  const whole = new Uint8Array(buffer.buffer);
  const kept = idleFlags.get(name);
  if (!kept || kept.length < whole.length) idleFlags.set(name, whole);
}

/**
 * Per-bar series lent for one computation (a lone run's indicator series, garbage once its
 * flags are set) and all given back at its end: the k-th one taken is the buffer named
 * `series k`, so runs of the same strategy reuse the same buffers.
 */
export class SeriesLoan {
  readonly #lent: Float64Array[] = [];

  /** A series of `n` values, its contents left over from earlier use. */
  readonly take = (n: number): Float64Array => {
    const buffer = borrowBuffer(`series ${this.#lent.length}`, n);
    this.#lent.push(buffer);
    return buffer;
  };

  /** Gives every series taken back; none of them may be read after. */
  giveBack(): void {
    this.#lent.forEach((buffer, k) => returnBuffer(`series ${k}`, buffer));
    this.#lent.length = 0;
  }
}
