/**
 * Where an operation's full result is stored and in which form: the binary artifact
 * workers write now, the JSON one operations stored before it kept, or (kinds without a
 * full result) the display result.
 */
import { readFile } from 'node:fs/promises';
import {
  decodeFullResult,
  displayResultOf,
  FULL_RESULT_ARTIFACT,
  fullResultFromJson,
  type FullResult,
} from '@ktrdr/shared';
import type { ArtifactBody, ArtifactStore } from '../artifacts/artifact-store.js';
import { LEGACY_FULL_RESULT_ARTIFACT, RESULT_ARTIFACT } from './result-artifacts.js';

/** A stored full result: its content (bytes or file) and its form. */
export interface StoredFullResult {
  body: ArtifactBody;
  form: 'binary' | 'json';
}

/** The stored full result of an operation, in the newest form it has; undefined if none. */
export function storedFullResult(
  artifacts: ArtifactStore,
  operationId: string,
): StoredFullResult | undefined {
  const binary = artifacts.read(operationId, FULL_RESULT_ARTIFACT);
  if (binary) return { body: binary, form: 'binary' };
  for (const name of [LEGACY_FULL_RESULT_ARTIFACT, RESULT_ARTIFACT]) {
    const json = artifacts.read(operationId, name);
    if (json) return { body: json, form: 'json' };
  }
  return undefined;
}

/** Reads a stored full result as columns, whichever form it is in. */
export async function readStoredFullResult(stored: StoredFullResult): Promise<FullResult> {
  const bytes = 'bytes' in stored.body ? stored.body.bytes : await readFile(stored.body.path);
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

/**
 * The display result of a backtest that stored only its binary full result (every
 * backtest a worker ran since the display result stopped being sent), as JSON text;
 * undefined when it has no binary full result.
 */
export async function displayResultText(
  artifacts: ArtifactStore,
  operationId: string,
): Promise<string | undefined> {
  const binary = artifacts.read(operationId, FULL_RESULT_ARTIFACT);
  if (!binary) return undefined;
  const full = await readStoredFullResult({ body: binary, form: 'binary' });
  return JSON.stringify(displayResultOf(full));
}
