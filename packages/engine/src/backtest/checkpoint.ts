import type { BacktestCheckpoint } from './engine.js';

const MAGIC = 0x4b544350; // "KTCP"

/**
 * A checkpoint as bytes: a small JSON header (state, trades) and the equity path as raw
 * float64, so a million-bar checkpoint stays compact and round-trips exactly.
 */
export function encodeCheckpoint(checkpoint: BacktestCheckpoint): Uint8Array {
  const { equity, ...rest } = checkpoint;
  const header = new TextEncoder().encode(JSON.stringify(rest));
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
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Omit<
    BacktestCheckpoint,
    'equity'
  >;
  if (header.version !== 1)
    throw new Error(`checkpoint: unsupported version ${String(header.version)}`);
  const equityStart = Math.ceil((8 + headerLength) / 8) * 8;
  // copy: the source buffer's offset may not be 8-aligned
  const equity = new Float64Array(
    bytes.slice(equityStart, equityStart + header.barIndex * 8).buffer,
  );
  return { ...header, equity };
}
