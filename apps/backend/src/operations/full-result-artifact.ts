/**
 * Where an operation's full result is stored and in which form: the binary artifact
 * workers write now, the JSON one operations stored before it kept, or (kinds without a
 * full result) the display result.
 */
import { readFile } from 'node:fs/promises';
import {
  decodeFullResult,
  FULL_RESULT_ARTIFACT,
  fullResultFromJson,
  type FullResult,
} from '@ktrdr/shared';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { LEGACY_FULL_RESULT_ARTIFACT, RESULT_ARTIFACT } from './result-artifacts.js';

/** A stored full result: its file and its form. */
export interface StoredFullResult {
  path: string;
  form: 'binary' | 'json';
}

/** The stored full result of an operation, in the newest form it has; undefined if none. */
export function storedFullResult(
  artifacts: ArtifactStore,
  operationId: string,
): StoredFullResult | undefined {
  if (artifacts.exists(operationId, FULL_RESULT_ARTIFACT))
    return { path: artifacts.path(operationId, FULL_RESULT_ARTIFACT), form: 'binary' };
  for (const name of [LEGACY_FULL_RESULT_ARTIFACT, RESULT_ARTIFACT]) {
    if (artifacts.exists(operationId, name))
      return { path: artifacts.path(operationId, name), form: 'json' };
  }
  return undefined;
}

/** Reads a stored full result as columns, whichever form it is in. */
export async function readStoredFullResult(stored: StoredFullResult): Promise<FullResult> {
  const bytes = await readFile(stored.path);
  if (stored.form === 'binary') return decodeFullResult(bytes);
  return fullResultFromJson(JSON.parse(bytes.toString('utf8')));
}

/** A backtest's full result as columns; undefined when it has none stored. */
export async function readFullResult(
  artifacts: ArtifactStore,
  operationId: string,
): Promise<FullResult | undefined> {
  const stored = storedFullResult(artifacts, operationId);
  return stored ? readStoredFullResult(stored) : undefined;
}
