import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bars } from '@ktrdr/engine/data';
import {
  decodeBarsBinary,
  encodeBarsBinary,
  type BackendClient,
  type SeriesRef,
} from '@ktrdr/shared';
import { untilReachable } from './until-reachable.js';

/**
 * Bars a worker has already downloaded, keyed by the series' ETag at dispatch and the
 * range: in memory (the job thread lives on between jobs) and on disk (the cache dir
 * outlives the process), so a second backtest of the same series downloads nothing.
 * Downloads use the binary columnar form: no JSON to print or parse.
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
        const bars = decodeBarsBinary(await readFile(join(this.dir, `${key}.bars`)));
        this.remember(key, bars);
        return { bars, cached: true };
      } catch {
        // not on disk (or unreadable): download it
      }
    }
    const bars = await untilReachable(
      () =>
        backend.getSeriesBinary(
          ref.symbol,
          ref.timeframe,
          { start: ref.start, end: ref.end },
          signal,
        ),
      signal,
    );
    if (key) {
      this.remember(key, bars);
      await mkdir(this.dir, { recursive: true });
      const temp = join(this.dir, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(temp, encodeBarsBinary(bars));
      await rename(temp, join(this.dir, `${key}.bars`));
    }
    return { bars, cached: false };
  }

  private remember(key: string, bars: Bars): void {
    this.memory.set(key, bars);
    while (this.memory.size > this.maxInMemory)
      this.memory.delete(this.memory.keys().next().value as string);
  }
}
