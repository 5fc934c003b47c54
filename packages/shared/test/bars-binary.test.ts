import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeBarsBinary, encodeBarsBinary } from '../src/index.js';

describe('binary bars', () => {
  it('round-trips every float exactly, volumes above 2^31 included', () => {
    const n = 1001;
    const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
    const bars = {
      symbol: 'ES=F',
      timeframe: '5m' as const,
      time: column((i) => Date.UTC(2024, 0, 1) + i * 300_000),
      open: column((i) => 100 + Math.sin(i) / 3),
      high: column((i) => 101 + Math.cos(i) / 7),
      low: column((i) => 99 - i * 1e-9),
      close: column((i) => 100 + i / 1e6),
      volume: column((i) => 3e9 + i),
    };
    const bytes = encodeBarsBinary(bars);
    assert.equal(bytes.length % 8, 0);
    const back = decodeBarsBinary(bytes);
    assert.equal(back.symbol, 'ES=F');
    assert.equal(back.timeframe, '5m');
    for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
      assert.deepEqual(Array.from(back[c]), Array.from(bars[c]), c);
    // a view at an odd offset still decodes
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    assert.deepEqual(
      Array.from(decodeBarsBinary(shifted.subarray(3)).close),
      Array.from(bars.close),
    );
  });

  it('decodes a file read back from disk (a Node Buffer, whose slice is a view), as a worker cache does', () => {
    const n = 5105;
    const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
    const bars = {
      symbol: 'SP500',
      timeframe: '1d' as const,
      time: column((i) => Date.UTC(2000, 0, 3) + i * 86_400_000),
      open: column((i) => 1400 + i / 10),
      high: column((i) => 1410 + i / 10),
      low: column((i) => 1390 + i / 10),
      close: column((i) => 1405 + i / 10),
      volume: column((i) => 1e9 + i),
    };
    const dir = mkdtempSync(join(tmpdir(), 'ktrdr-bars-'));
    try {
      writeFileSync(join(dir, 'x.bars'), encodeBarsBinary(bars));
      const back = decodeBarsBinary(readFileSync(join(dir, 'x.bars')));
      assert.equal(back.time.length, n, 'the bar count of the file, not of its whole buffer');
      for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const)
        assert.deepEqual(Array.from(back[c]), Array.from(bars[c]), c);
      // a small file lands in Node's shared pool: a Buffer at a non-zero offset
      const small = Buffer.from(
        encodeBarsBinary({
          ...bars,
          time: bars.time.subarray(0, 3),
          open: bars.open.subarray(0, 3),
          high: bars.high.subarray(0, 3),
          low: bars.low.subarray(0, 3),
          close: bars.close.subarray(0, 3),
          volume: bars.volume.subarray(0, 3),
        }),
      );
      assert.deepEqual(
        Array.from(decodeBarsBinary(small).close),
        Array.from(bars.close.subarray(0, 3)),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not binary bars, or is cut short', () => {
    assert.throws(
      () => decodeBarsBinary(new TextEncoder().encode('{"symbol":"X"}')),
      /not binary bars/,
    );
    const bytes = encodeBarsBinary({
      symbol: 'X',
      timeframe: '1d',
      time: new Float64Array(4),
      open: new Float64Array(4),
      high: new Float64Array(4),
      low: new Float64Array(4),
      close: new Float64Array(4),
      volume: new Float64Array(4),
    });
    assert.throws(() => decodeBarsBinary(bytes.subarray(0, bytes.length - 8)), /truncated/);
  });
});
