import { randomBytes } from 'node:crypto';

/** `op_<type>_<YYYYMMDD_HHMMSS>_<8 hex>`, in UTC. */
export function newOperationId(type: string, now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `op_${type}_${stamp}_${randomBytes(4).toString('hex')}`;
}
