import * as tf from '@tensorflow/tfjs';
import type { FeatureSpec } from '../features/feature-spec.js';

/** A trained model as one JSON document: TensorFlow.js topology and weights, plus what it was made from. */
export interface ModelDocument {
  format: 'ktrdr-tfjs-layers-v1';
  model_id: string;
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Base64 of the concatenated weights. */
  weightData: string;
  feature_spec: FeatureSpec;
  feature_spec_hash: string;
  metadata: Record<string, unknown>;
}

/** Saves a network (TensorFlow.js layers format) with its feature spec and metadata. */
export async function serializeModel(
  model: tf.LayersModel,
  extra: Omit<ModelDocument, 'format' | 'modelTopology' | 'weightSpecs' | 'weightData'>,
): Promise<ModelDocument> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs)
    throw new Error('the model could not be serialized');
  const weights = tf.io.concatenateArrayBuffers(
    Array.isArray(saved.weightData) ? saved.weightData : [saved.weightData],
  );
  return {
    format: 'ktrdr-tfjs-layers-v1',
    ...extra,
    modelTopology: saved.modelTopology,
    weightSpecs: saved.weightSpecs,
    weightData: Buffer.from(weights).toString('base64'),
  };
}

/** The network of a {@link ModelDocument}. */
export async function loadModel(doc: ModelDocument): Promise<tf.LayersModel> {
  if (doc.format !== 'ktrdr-tfjs-layers-v1')
    throw new Error(`unknown model format ${String(doc.format)}`);
  const bytes = Buffer.from(doc.weightData, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: doc.modelTopology as object,
      weightSpecs: doc.weightSpecs,
      weightData,
    }),
  );
}
