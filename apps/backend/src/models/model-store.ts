import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ModelDetail,
  ModelDocumentWire,
  ModelSplit,
  ModelStored,
  ModelSummary,
} from '@ktrdr/shared';
import { ConflictError, NotFoundError } from '@ktrdr/server-kit';
import type { Db } from '../storage/database.js';

interface ModelRow {
  model_id: string;
  feature_spec_hash: string;
  operation_id: string | null;
  sha256: string;
  size_bytes: number;
  summary: string;
  detail: string;
}

/**
 * The model store: each trained model is one immutable JSON file (TensorFlow.js topology
 * and weights plus what it was made from) in `<data dir>/models`, and one row of
 * metadata for listing. A model id is never overwritten: the file is written first
 * (atomically), then the row, so a crash between them leaves an orphan file that the
 * next upload of that id replaces, never a row without its file.
 */
export class ModelStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;

  constructor(
    private readonly dir: string,
    db: Db,
  ) {
    mkdirSync(dir, { recursive: true });
    this.insertStmt = db.prepare(
      `INSERT INTO models (model_id, strategy_name, strategy_hash, feature_spec_hash, operation_id,
         created_at, sha256, size_bytes, summary, detail)
       VALUES (@model_id, @strategy_name, @strategy_hash, @feature_spec_hash, @operation_id,
         @created_at, @sha256, @size_bytes, @summary, @detail)`,
    );
    this.getStmt = db.prepare<[string], ModelRow>('SELECT * FROM models WHERE model_id = ?');
    this.listStmt = db.prepare<[], { summary: string }>(
      'SELECT summary FROM models ORDER BY created_at DESC, model_id',
    );
  }

  /** The file of a stored model (for downloads). */
  path(modelId: string): string {
    if (!this.getStmt.get(modelId)) throw new NotFoundError('model', modelId);
    return this.file(modelId);
  }

  private file(modelId: string): string {
    return join(this.dir, `${modelId}.json`);
  }

  /** The feature spec hash of a stored model, or undefined. */
  /** The dates of a model's split (undefined for an unknown model or one trained before they were kept). */
  split(modelId: string): ModelSplit | undefined {
    const row = this.getStmt.get(modelId);
    return row ? (JSON.parse(row.summary) as ModelSummary).split : undefined;
  }

  featureSpecHash(modelId: string): string | undefined {
    return this.getStmt.get(modelId)?.feature_spec_hash;
  }

  /** Every model, newest first. */
  list(): ModelSummary[] {
    return this.listStmt.all().map((r) => JSON.parse(r.summary) as ModelSummary);
  }

  /** One model's metadata (no weights); 404 when unknown. */
  get(modelId: string): ModelDetail {
    const row = this.getStmt.get(modelId);
    if (!row) throw new NotFoundError('model', modelId);
    return {
      ...(JSON.parse(row.summary) as ModelSummary),
      ...(JSON.parse(row.detail) as Omit<ModelDetail, keyof ModelSummary>),
    };
  }

  /**
   * Stores a model under `modelId` for `operationId`. The same operation uploading again
   * (a retried request, or a resumed run finishing a second time) gets the stored one
   * back unchanged; anything else under an existing id is a 409.
   */
  put(modelId: string, doc: ModelDocumentWire, operationId: string, now = new Date()): ModelStored {
    const text = JSON.stringify(doc);
    const sha256 = createHash('sha256').update(text).digest('hex');
    const existing = this.getStmt.get(modelId);
    if (existing) {
      if (existing.sha256 === sha256 || existing.operation_id === operationId)
        return { model_id: modelId, created: false, size_bytes: existing.size_bytes };
      throw new ConflictError(
        `model ${modelId} already exists (made by ${existing.operation_id ?? 'an import'}); a model id is never overwritten`,
        { model_id: modelId },
      );
    }
    const file = this.file(modelId);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
    const size = statSync(file).size;
    const m = doc.metadata;
    const summary: ModelSummary = {
      model_id: modelId,
      strategy_name: m.strategy_name,
      strategy_hash: m.strategy_hash,
      feature_spec_hash: doc.feature_spec_hash,
      created_at: now.toISOString(),
      operation_id: operationId,
      symbol: m.symbol,
      timeframe: m.timeframe,
      start: m.start,
      end: m.end,
      seed: m.seed,
      training_backend: m.training_backend,
      size_bytes: size,
      metrics: m.metrics,
      // models trained before the split's dates were kept have none
      ...(m.split ? { split: m.split } : {}),
    };
    const detail = { feature_spec: doc.feature_spec, training: m.training, history: m.history };
    try {
      this.insertStmt.run({
        model_id: modelId,
        strategy_name: summary.strategy_name,
        strategy_hash: summary.strategy_hash,
        feature_spec_hash: summary.feature_spec_hash,
        operation_id: operationId,
        created_at: summary.created_at,
        size_bytes: size,
        sha256,
        summary: JSON.stringify(summary),
        detail: JSON.stringify(detail),
      });
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
    return { model_id: modelId, created: true, size_bytes: size };
  }
}
