import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ArtifactFile } from './job-definition.js';

/**
 * A result up to this size stays in memory and goes up from there; a larger one is written
 * to a file as it is produced (memory stays flat for a million-bar result).
 */
export const IN_MEMORY_RESULT_BYTES = 1024 ** 2;

const encoder = new TextEncoder();

/**
 * Gathers a result's chunks into an artifact: in memory while it stays small (a short
 * backtest's result never touches the disk: no file to create, read back and remove), else
 * streamed into the file `pathFor()` names, the chunks gathered so far first.
 */
export async function resultArtifact(
  name: string,
  chunks: Iterable<string | Uint8Array>,
  pathFor: () => Promise<string>,
  limit = IN_MEMORY_RESULT_BYTES,
): Promise<ArtifactFile> {
  const held: Uint8Array[] = [];
  let size = 0;
  const iterator = chunks[Symbol.iterator]();
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const bytes = typeof next.value === 'string' ? encoder.encode(next.value) : next.value;
    held.push(bytes);
    size += bytes.length;
    if (size > limit) return { name, path: await spill(held, iterator, await pathFor()) };
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of held) {
    bytes.set(part, at);
    at += part.length;
  }
  return { name, bytes };
}

/** Writes what was held, then the rest of the chunks, to `path`. */
async function spill(
  held: Uint8Array[],
  rest: Iterator<string | Uint8Array>,
  path: string,
): Promise<string> {
  const out = createWriteStream(path);
  const write = async (chunk: string | Uint8Array) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  for (const part of held) await write(part);
  held.length = 0;
  for (let next = rest.next(); !next.done; next = rest.next()) await write(next.value);
  out.end();
  await once(out, 'finish');
  return path;
}
