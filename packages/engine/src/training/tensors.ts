import * as tf from '@tensorflow/tfjs';

/** A tensor as JSON: name, shape, dtype and raw values (base64). */
export interface SerializedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

/** Tensor → JSON (float32 and int32 tensors: weights and the optimizer's iteration count). */
export function serializeTensor(name: string, tensor: tf.Tensor): SerializedTensor {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  const values = (dtype === 'int32' ? tensor.dataSync() : tensor.dataSync()) as
    Float32Array | Int32Array;
  return {
    name,
    shape: tensor.shape,
    dtype,
    data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
  };
}

/** JSON → tensor. */
export function deserializeTensor(serialized: SerializedTensor): tf.Tensor {
  const bytes = Buffer.from(serialized.data, 'base64');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values = serialized.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
  return tf.tensor(values, serialized.shape, serialized.dtype);
}
