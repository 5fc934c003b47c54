import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn 4 KiB at a time: an id takes 4 of them, and asking the system for 4
 * bytes per operation cost more than the rest of making its id.
 */
const pool = Buffer.alloc(4096);
let next = pool.length;

function randomHex4(): string {
  if (next + 4 > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  next += 4;
  return pool.toString('hex', next - 4, next);
}

/** `op_<type>_<YYYYMMDD_HHMMSS>_<8 hex>`, in UTC. */
export function newOperationId(type: string, now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `op_${type}_${stamp}_${randomHex4()}`;
}
