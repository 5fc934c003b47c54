import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** Where one packed artifact's bytes are: its pack, offset and length, and their CRC-32. */
export interface PackedRef {
  pack: number;
  offset: number;
  length: number;
  crc32: number;
}

/** The bytes of a packed artifact are not what was stored (a pack cut short or overwritten). */
export class PackDamagedError extends Error {
  override readonly name = 'PackDamagedError';
}

/** A pack is closed for appends once it holds this much (reads go on). */
export const PACK_BYTES = 256 * 1024 * 1024;

const PACK_NAME = /^pack-(\d{6})\.bin$/;
const packName = (n: number) => `pack-${String(n).padStart(6, '0')}.bin`;

/**
 * Append-only files holding many small artifacts back to back (a short backtest's result,
 * ~23 KB): one `pwrite` per artifact. Kept as a database row, the same bytes were written
 * twice (to the WAL, then by the checkpoint into the database file), page by page, with a
 * checksum per page: about a tenth of the backend's CPU per short backtest.
 *
 * The caller records each {@link PackedRef} in the database, after the append: bytes whose
 * record never commits are dead space, never a record pointing at nothing. Bytes are not
 * fsynced (the database runs with `synchronous = NORMAL`, whose commits are not either), so
 * a power cut may lose the last ones, and a record may then point at bytes that are not
 * there: the CRC-32 tells, and {@link read} says so instead of returning them.
 */
export class PackFiles {
  /** The pack appends go to, with its descriptor and its end. */
  private current: { n: number; fd: number; end: number } | undefined;
  private readonly readers = new Map<number, number>();

  constructor(
    private readonly dir: string,
    private readonly packBytes = PACK_BYTES,
  ) {}

  /** Appends `bytes` to the current pack (a new one when it is full). */
  append(bytes: Uint8Array): PackedRef {
    let pack = this.current ?? this.openLast();
    if (pack.end > 0 && pack.end + bytes.byteLength > this.packBytes)
      pack = this.openNew(pack.n + 1);
    let written = 0;
    while (written < bytes.byteLength)
      written += writeSync(pack.fd, bytes, written, bytes.byteLength - written, pack.end + written);
    const ref = { pack: pack.n, offset: pack.end, length: bytes.byteLength, crc32: crc32(bytes) };
    pack.end += bytes.byteLength;
    return ref;
  }

  /** The bytes `ref` points at; a {@link PackDamagedError} when they are not what was stored. */
  read(ref: PackedRef): Buffer {
    const fd = this.reader(ref.pack);
    const bytes = Buffer.allocUnsafe(ref.length);
    let got = 0;
    while (got < ref.length) {
      const n = readSync(fd, bytes, got, ref.length - got, ref.offset + got);
      if (n === 0) break;
      got += n;
    }
    const where = `${packName(ref.pack)} at ${ref.offset}`;
    if (got < ref.length)
      throw new PackDamagedError(`${where}: ${got} of ${ref.length} bytes are there`);
    if (crc32(bytes) !== ref.crc32)
      throw new PackDamagedError(`${where}: the bytes are not the ones stored (CRC-32 differs)`);
    return bytes;
  }

  /** Closes every pack (appends and reads open them again). */
  close(): void {
    if (this.current) closeSync(this.current.fd);
    this.current = undefined;
    for (const fd of this.readers.values()) closeSync(fd);
    this.readers.clear();
  }

  private reader(n: number): number {
    if (this.current?.n === n) return this.current.fd;
    let fd = this.readers.get(n);
    if (fd === undefined) {
      try {
        fd = openSync(join(this.dir, packName(n)), 'r');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT')
          throw new PackDamagedError(`${packName(n)} is missing from ${this.dir}`);
        throw error;
      }
      this.readers.set(n, fd);
    }
    return fd;
  }

  /** The newest pack, to append after whatever it holds (dead bytes of a crash included). */
  private openLast(): { n: number; fd: number; end: number } {
    mkdirSync(this.dir, { recursive: true });
    const numbers = readdirSync(this.dir)
      .map((file) => PACK_NAME.exec(file)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
    if (numbers.length === 0) return this.openNew(1);
    const n = Math.max(...numbers);
    const fd = openSync(join(this.dir, packName(n)), 'r+');
    this.current = { n, fd, end: fstatSync(fd).size };
    return this.current;
  }

  private openNew(n: number): { n: number; fd: number; end: number } {
    if (this.current) {
      // the full pack stays readable
      this.readers.set(this.current.n, this.current.fd);
    }
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(join(this.dir, packName(n)), 'wx+');
    this.current = { n, fd, end: 0 };
    return this.current;
  }
}
