import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@ktrdr/server-kit';
import type { Db } from '../storage/database.js';
import { PackDamagedError, PackFiles, type PackedRef } from './pack-files.js';

const WRITE_BUFFER_BYTES = 1024 * 1024;
/** How many made folders {@link ArtifactStore} remembers. */
const MADE_FOLDERS_KEPT = 1024;

/** What was stored. */
export interface StoredArtifact {
  name: string;
  size_bytes: number;
  sha256: string;
}

/** A stored artifact's content: its bytes (a small one, kept in the database) or its file. */
export type ArtifactBody = { bytes: Buffer } | { path: string };

/**
 * What workers upload for an operation (results, checkpoints). Uploads are files under
 * `<data dir>/artifacts/<operation id>/<name>`, streamed to a temporary file and renamed
 * into place only when complete, so a reader never sees half a file. A short job's small
 * result files, carried in its final report, are appended to the artifact packs instead
 * (`<artifacts>/.packs/`, see {@link PackFiles}), and a row of `artifact_packed` says where:
 * one write in the report's own request, no folder or file to create (on this machine's
 * disk those cost more than the backtest). Databases from before the packs hold such files
 * as rows of `artifact_blobs`, still read. Each write replaces the other forms' copies, and
 * reads look at the packs first, then the rows, then the folder. Names are validated by
 * the route schemas (no separators, no dot-dot).
 */
export class ArtifactStore {
  /** Operation folders this store has made (recent ones): an upload makes its folder once. */
  private readonly made = new Set<string>();

  private readonly packs: PackFiles;

  constructor(
    private readonly root: string,
    private readonly db: Db,
    private readonly maxBytes = 2 * 1024 ** 3,
  ) {
    this.packs = new PackFiles(join(root, '.packs'));
  }

  /** Closes the packs' files (the store opens them again if used). */
  close(): void {
    this.packs.close();
  }

  /** Where an artifact's file lives (small artifacts have none: see {@link read}). */
  path(operationId: string, name: string): string {
    return join(this.root, operationId, name);
  }

  /** The artifact's content, or undefined when it does not exist. */
  read(operationId: string, name: string): ArtifactBody | undefined {
    const bytes = this.blob(operationId, name);
    if (bytes) return { bytes };
    const path = this.path(operationId, name);
    return existsSync(path) ? { path } : undefined;
  }

  private blob(operationId: string, name: string): Buffer | undefined {
    const packed = this.db
      .prepare<[string, string], PackedRef>(
        'SELECT pack, offset, length, crc32 FROM artifact_packed WHERE operation_id = ? AND name = ?',
      )
      .get(operationId, name);
    if (packed) return this.unpack(operationId, name, packed);
    const row = this.db
      .prepare<[string, string], { bytes: Uint8Array }>(
        'SELECT bytes FROM artifact_blobs WHERE operation_id = ? AND name = ?',
      )
      .get(operationId, name);
    // better-sqlite3 gives a Buffer, node:sqlite a Uint8Array: one type for the routes
    return row
      ? Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength)
      : undefined;
  }

  /** Streams an upload into place. */
  async write(operationId: string, name: string, body: Readable): Promise<StoredArtifact> {
    const dir = join(this.root, operationId);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.made.size >= MADE_FOLDERS_KEPT) this.made.clear();
      this.made.add(dir);
    }
    const final = join(dir, name);
    const temp = `${final}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit) {
          callback(
            new AppError('PAYLOAD_TOO_LARGE', `artifact ${name} is larger than ${limit} bytes`),
          );
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      // a 1 MiB write buffer, not 16 KiB: the socket keeps being read while the disk writes
      // (a 25 MB upload over loopback: fastest of 10 in 68 ms instead of 107–136 ms here)
      await pipeline(body, meter, createWriteStream(temp, { highWaterMark: WRITE_BUFFER_BYTES }));
      await rename(temp, final);
      this.dropBlob(operationId, name);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { name, size_bytes: size, sha256: hash.digest('hex') };
  }

  /**
   * Stores small artifacts (a short job's results, at most a few hundred KiB) in the packs,
   * their rows in one transaction (the caller's, when it has one open). Reads find a row
   * first, so it also stands for a file of the same name written by an earlier attempt.
   */
  writeSmall(operationId: string, files: readonly { name: string; bytes: Uint8Array }[]): void {
    // appended first: bytes whose row never commits are dead space, never a dangling row
    const refs = files.map((file) => ({ name: file.name, ref: this.packs.append(file.bytes) }));
    const insert = this.db.prepare<[string, string, number, number, number, number]>(
      'INSERT OR REPLACE INTO artifact_packed (operation_id, name, pack, offset, length, crc32) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const dropRow = this.db.prepare<[string, string]>(
      'DELETE FROM artifact_blobs WHERE operation_id = ? AND name = ?',
    );
    this.db.transaction(() => {
      for (const { name, ref } of refs) {
        insert.run(operationId, name, ref.pack, ref.offset, ref.length, ref.crc32);
        dropRow.run(operationId, name);
      }
    })();
  }

  private unpack(operationId: string, name: string, ref: PackedRef): Buffer {
    try {
      return this.packs.read(ref);
    } catch (error) {
      if (!(error instanceof PackDamagedError)) throw error;
      throw new AppError(
        'INTERNAL_ERROR',
        `the stored ${name} of operation ${operationId} is damaged (${error.message}); run the operation again to get it back`,
        { operation_id: operationId, name },
      );
    }
  }

  private dropBlob(operationId: string, name: string): void {
    this.db.transaction(() => {
      for (const table of ['artifact_packed', 'artifact_blobs'])
        this.db
          .prepare<[string, string]>(`DELETE FROM ${table} WHERE operation_id = ? AND name = ?`)
          .run(operationId, name);
    })();
  }

  /** Reads an artifact as text, or undefined when it does not exist. */
  async readText(operationId: string, name: string): Promise<string | undefined> {
    const bytes = this.blob(operationId, name);
    if (bytes) return bytes.toString('utf8');
    try {
      return await readFile(this.path(operationId, name), 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
