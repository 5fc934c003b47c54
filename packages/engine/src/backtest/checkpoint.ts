import type { BacktestCheckpoint } from './engine.js';

const MAGIC = 0x4b544350; // "KTCP"

/**
 * JSON has no NaN or Infinity (it writes null): the state holds NaN for "no stop price",
 * and a stop at null compares as a stop at 0. Such numbers travel as {"$num": "NaN"}.
 */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $num: String(value) } : value;
}

function restoreNonFinite(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$num' in value) {
    const text = value.$num;
    return text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number.NaN;
  }
  return value;
}

/**
 * A checkpoint as bytes: a small JSON header (state, trades) and the equity path as raw
 * float64, so a million-bar checkpoint stays compact and round-trips exactly.
 */
export function encodeCheckpoint(checkpoint: BacktestCheckpoint): Uint8Array {
  const { equity, ...rest } = checkpoint;
  const header = new TextEncoder().encode(JSON.stringify(rest, keepNonFinite));
  const headerEnd = 8 + header.length;
  const equityStart = Math.ceil(headerEnd / 8) * 8;
  const bytes = new Uint8Array(equityStart + equity.length * 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, header.length);
  bytes.set(header, 8);
  new Float64Array(bytes.buffer, equityStart, equity.length).set(equity);
  return bytes;
}

/** The checkpoint encoded by {@link encodeCheckpoint}; throws on anything else. */
export function decodeCheckpoint(bytes: Uint8Array): BacktestCheckpoint {
  if (bytes.length < 8) throw new Error('checkpoint: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== MAGIC) throw new Error('checkpoint: not a backtest checkpoint');
  const headerLength = view.getUint32(4);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
    restoreNonFinite,
  ) as Omit<BacktestCheckpoint, 'equity'>;
  // checkpoints written before non-finite numbers were kept carry null for "no price"
  for (const key of ['stopPrice', 'takePrice'] as const)
    if ((header.state[key] as number | null) === null) header.state[key] = Number.NaN;
  if (header.version !== 1)
    throw new Error(`checkpoint: unsupported version ${String(header.version)}`);
  const equityStart = Math.ceil((8 + headerLength) / 8) * 8;
  if (bytes.length < equityStart + header.barIndex * 8) throw new Error('checkpoint: truncated');
  // copy into an array of its own: the source may sit at an unaligned offset, or be a Node
  // Buffer whose slice() is a view onto a larger buffer
  const equity = new Float64Array(header.barIndex);
  new Uint8Array(equity.buffer).set(bytes.subarray(equityStart, equityStart + header.barIndex * 8));
  return { ...header, equity };
}
