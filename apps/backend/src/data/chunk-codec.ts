import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Timeframe } from '@ktrdr/shared';
import { allocateBars, type Bars } from '@ktrdr/engine/data';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * One chunk of bars as a compact blob: each float64 column deflated on its own, the time
 * column delta-encoded first (regular bars compress to almost nothing). Lossless: the
 * decoded floats are bit-identical.
 */
export function encodeChunk(bars: Bars, from: number, to: number): Buffer {
  const n = to - from;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(4 + COLUMNS.length * 4);
  header.writeUInt32LE(n, 0);
  COLUMNS.forEach((column, c) => {
    const values = bars[column].subarray(from, to);
    let source = values;
    if (column === 'time') {
      source = new Float64Array(n);
      let previous = 0;
      for (let i = 0; i < n; i++) {
        source[i] = (values[i] as number) - previous;
        previous = values[i] as number;
      }
    }
    const packed = deflateRawSync(
      new Uint8Array(source.buffer, source.byteOffset, source.byteLength),
      { level: 1 },
    );
    header.writeUInt32LE(packed.length, 4 + c * 4);
    parts.push(packed);
  });
  return Buffer.concat([header, ...parts]);
}

/** The bars of a blob made by {@link encodeChunk}. */
export function decodeChunk(blob: Buffer, symbol: string, timeframe: Timeframe): Bars {
  const n = blob.readUInt32LE(0);
  const bars = allocateBars(symbol, timeframe, n);
  let offset = 4 + COLUMNS.length * 4;
  COLUMNS.forEach((column, c) => {
    const length = blob.readUInt32LE(4 + c * 4);
    const raw = inflateRawSync(blob.subarray(offset, offset + length));
    offset += length;
    const target = bars[column];
    new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(raw);
    if (column === 'time')
      for (let i = 1; i < n; i++) target[i] = (target[i] as number) + (target[i - 1] as number);
  });
  return bars;
}
