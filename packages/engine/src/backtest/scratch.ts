/**
 * Per-bar work buffers that a run borrows and gives back, so that runs over the same
 * series (a sweep's sets) stop allocating and collecting megabytes each: what a run
 * returns is never one of them. A buffer lent out and not yet given back (a hook that
 * starts another run inside a run) is not lent twice; the second borrower gets a new one.
 * They stay allocated at the largest size used (8 bytes a bar each) for the thread's life.
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
