import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelDocument } from '@ktrdr/engine/training';
import type { BackendClient } from '@ktrdr/shared';
import { untilReachable } from './until-reachable.js';

/**
 * Trained models this worker has downloaded, by id: a model id is never overwritten, so
 * a cached copy never goes stale. Kept in memory (the job thread lives on between jobs)
 * and on disk (the cache dir outlives the process).
 */
export class ModelCache {
  private readonly memory = new Map<string, ModelDocument>();

  constructor(
    private readonly dir: string,
    private readonly maxInMemory = 4,
  ) {}

  /** The model document of `modelId`, from the cache or the backend's model store. */
  async get(
    modelId: string,
    backend: BackendClient,
    signal?: AbortSignal,
  ): Promise<{ doc: ModelDocument; cached: boolean }> {
    const inMemory = this.memory.get(modelId);
    if (inMemory) return { doc: inMemory, cached: true };
    // ids are validated by the backend's schema (no path separators); encode anyway
    const file = join(this.dir, `${encodeURIComponent(modelId)}.json`);
    let doc: ModelDocument | undefined;
    let cached = true;
    try {
      doc = JSON.parse(await readFile(file, 'utf8')) as ModelDocument;
    } catch {
      cached = false;
      doc = (await untilReachable(
        () => backend.downloadModel(modelId, signal ? { signal } : {}),
        signal,
      )) as unknown as ModelDocument;
      await mkdir(this.dir, { recursive: true });
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, JSON.stringify(doc));
      await rename(temp, file);
    }
    this.memory.set(modelId, doc);
    if (this.memory.size > this.maxInMemory) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    return { doc, cached };
  }
}
