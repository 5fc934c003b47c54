import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allocateBars, barsFromColumnar, type Bars } from '@ktrdr/engine/data';
import type { BackendClient, SeriesRef, Timeframe } from '@ktrdr/shared';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

function encode(bars: Bars): Uint8Array {
  const header = Buffer.from(
    JSON.stringify({ symbol: bars.symbol, timeframe: bars.timeframe, n: bars.time.length }),
  );
  const out = new Uint8Array(8 + Math.ceil(header.length / 8) * 8 + bars.time.length * 48);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 8);
  let at = 8 + Math.ceil(header.length / 8) * 8;
  for (const c of COLUMNS) {
    out.set(new Uint8Array(bars[c].buffer, bars[c].byteOffset, bars[c].byteLength), at);
    at += bars[c].byteLength;
  }
  return out;
}

function decode(bytes: Uint8Array): Bars {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  const { symbol, timeframe, n } = JSON.parse(
    Buffer.from(bytes.subarray(8, 8 + length)).toString(),
  ) as { symbol: string; timeframe: Timeframe; n: number };
  const bars = allocateBars(symbol, timeframe, n);
  let at = 8 + Math.ceil(length / 8) * 8;
  for (const c of COLUMNS) {
    new Uint8Array(bars[c].buffer).set(bytes.subarray(at, at + n * 8));
    at += n * 8;
  }
  return bars;
}

/**
 * Bars a worker has already downloaded, keyed by the series' ETag at dispatch and the
 * range: in memory (the job thread lives on between jobs) and on disk (the cache dir
 * outlives the process), so a second backtest of the same series downloads nothing.
 */
export class SeriesCache {
  private readonly memory = new Map<string, Bars>();

  constructor(
    private readonly dir: string,
    private readonly maxInMemory = 8,
  ) {}

  private key(ref: SeriesRef): string | undefined {
    if (!ref.etag) return undefined;
    return createHash('sha1')
      .update(`${ref.symbol}|${ref.timeframe}|${ref.start}|${ref.end}|${ref.etag}`)
      .digest('hex');
  }

  /** The bars of `ref`, from the cache or the backend's data API. */
  async get(
    ref: SeriesRef,
    backend: BackendClient,
    signal?: AbortSignal,
  ): Promise<{ bars: Bars; cached: boolean }> {
    const key = this.key(ref);
    if (key) {
      const hit = this.memory.get(key);
      if (hit) {
        this.memory.delete(key);
        this.memory.set(key, hit);
        return { bars: hit, cached: true };
      }
      try {
        const bars = decode(await readFile(join(this.dir, `${key}.bin`)));
        this.remember(key, bars);
        return { bars, cached: true };
      } catch {
        // not on disk: download it
      }
    }
    const { bars: columnar } = await backend.getSeries(
      ref.symbol,
      ref.timeframe,
      { start: ref.start, end: ref.end },
      signal,
    );
    const bars = barsFromColumnar(columnar);
    if (key) {
      this.remember(key, bars);
      await mkdir(this.dir, { recursive: true });
      const temp = join(this.dir, `${key}.${process.pid}.tmp`);
      await writeFile(temp, encode(bars));
      await rename(temp, join(this.dir, `${key}.bin`));
    }
    return { bars, cached: false };
  }

  private remember(key: string, bars: Bars): void {
    this.memory.set(key, bars);
    while (this.memory.size > this.maxInMemory)
      this.memory.delete(this.memory.keys().next().value as string);
  }
}
