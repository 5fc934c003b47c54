/**
 * Moves a job's files up to the backend as artifacts: checkpoints while it runs, its result
 * files once it has ended — so a worker on another machine needs no shared disk.
 */
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  INLINE_ARTIFACTS_MAX_BYTES,
  mustDropJob,
  type BackendClient,
  type InlineArtifact,
} from '@ktrdr/shared';
import type { FastifyBaseLogger } from 'fastify';
import { CHECKPOINT_ARTIFACT, type ArtifactFile } from './job-definition.js';
import type { Drop } from './registration.js';

const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** Result files of one ended attempt, uploaded in order; `uploaded` counts those already up. */
export interface ResultFiles {
  operation_id: string;
  attempt: number;
  artifacts?: ArtifactFile[];
  uploaded?: number;
}

interface CheckpointSlot {
  next: { attempt: number; bytes: Uint8Array; ref: string } | undefined;
}

/** What the transfers need from the worker. */
export interface ArtifactTransferDeps {
  client: BackendClient;
  workerId: () => string;
  /** The backend answered a checkpoint with "drop this job". */
  onDrop: (drops: readonly Drop[]) => void;
  log: FastifyBaseLogger;
}

/** Files up to this size go up as one buffer; larger ones are streamed from disk. */
const BUFFERED_UPLOAD_BYTES = 4 * 1024 ** 2;

/**
 * The body of an upload: a small file (a short backtest's results) read whole — one read,
 * none of a web stream's per-chunk cost — and a large one streamed, so memory stays flat.
 */
async function uploadBody(path: string): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= BUFFERED_UPLOAD_BYTES) return await handle.readFile();
  } finally {
    await handle.close();
  }
  // 1 MiB reads, not the default 64 KiB: the web stream and the socket cost per chunk, and
  // a million-bar full result (25 MB) is 24 chunks instead of 382
  return Readable.toWeb(
    createReadStream(path, { highWaterMark: UPLOAD_CHUNK_BYTES }),
  ) as ReadableStream<Uint8Array>;
}

/** A job's uploads: checkpoints (one at a time per operation), result files. */
export class ArtifactTransfer {
  private readonly checkpoints = new Map<string, CheckpointSlot>();

  constructor(private readonly deps: ArtifactTransferDeps) {}

  /**
   * Uploads a checkpoint of a running attempt and tells the backend where it stands. One
   * upload at a time per operation; while one runs, only the newest waiting one is kept.
   */
  saveCheckpoint(operationId: string, attempt: number, bytes: Uint8Array, ref: string): void {
    const slot = this.checkpoints.get(operationId);
    if (slot) {
      slot.next = { attempt, bytes, ref };
      return;
    }
    const entry: CheckpointSlot = { next: { attempt, bytes, ref } };
    this.checkpoints.set(operationId, entry);
    void (async () => {
      while (entry.next) {
        const { attempt: a, bytes: b, ref: r } = entry.next;
        entry.next = undefined;
        const who = { worker_id: this.deps.workerId(), attempt: a };
        try {
          await this.deps.client.putArtifact(operationId, CHECKPOINT_ARTIFACT, who, b, {
            timeoutMs: 120_000,
          });
          await this.deps.client.reportOperation(
            operationId,
            { ...who, checkpoint_ref: r },
            { timeoutMs: 10_000 },
          );
        } catch (error) {
          if (mustDropJob(error)) {
            // the backend moved on from this attempt: its checkpoints are worthless too
            entry.next = undefined;
            this.deps.onDrop([{ id: operationId, attempt: a }]);
            break;
          }
          // a lost checkpoint costs only the work since the previous one
          this.deps.log.warn(
            { operation_id: operationId, err: (error as Error).message },
            'checkpoint not saved',
          );
        }
      }
      this.checkpoints.delete(operationId);
    })();
  }

  /** Forgets a checkpoint still waiting to go up: it is worthless once the job has ended. */
  discardWaitingCheckpoint(operationId: string): void {
    const slot = this.checkpoints.get(operationId);
    if (slot) slot.next = undefined;
  }

  /**
   * Uploads the result files not yet up, side by side (one round trip for all of them, not
   * one each); `uploaded` then counts the leading ones that went up, so a retry continues
   * from the first that did not (a file sent twice just replaces itself).
   */
  async uploadResults(files: ResultFiles): Promise<void> {
    const who = { worker_id: this.deps.workerId(), attempt: files.attempt };
    const done = files.uploaded ?? 0;
    const pending = (files.artifacts ?? []).slice(done);
    const sent = await Promise.allSettled(
      pending.map(async (file) =>
        this.deps.client.putArtifact(
          files.operation_id,
          file.name,
          who,
          'bytes' in file ? file.bytes : await uploadBody(file.path),
          { timeoutMs: 600_000 },
        ),
      ),
    );
    const failed = sent.findIndex((s) => s.status === 'rejected');
    files.uploaded = done + (failed < 0 ? sent.length : failed);
    if (failed >= 0) throw (sent[failed] as PromiseRejectedResult).reason;
  }

  /**
   * The result files as a completed report may carry them (base64), when they are all in
   * memory, none went up yet, and together they fit {@link INLINE_ARTIFACTS_MAX_BYTES};
   * undefined when they must be uploaded.
   */
  inline(files: ResultFiles): InlineArtifact[] | undefined {
    const artifacts = files.artifacts ?? [];
    if (artifacts.length === 0 || (files.uploaded ?? 0) > 0) return undefined;
    const inMemory: { name: string; bytes: Uint8Array }[] = [];
    let total = 0;
    for (const file of artifacts) {
      if (!('bytes' in file)) return undefined;
      inMemory.push(file);
      total += file.bytes.length;
    }
    if (total > INLINE_ARTIFACTS_MAX_BYTES) return undefined;
    return inMemory.map(({ name, bytes }) => ({
      name,
      data_base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64'),
    }));
  }

  /** Removes the local result files once the backend has taken (or refused) the outcome. */
  async removeResults(files: ResultFiles): Promise<void> {
    for (const file of files.artifacts ?? [])
      if ('path' in file) await rm(file.path, { force: true });
  }
}
