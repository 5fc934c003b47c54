/**
 * Neural training and inference with TensorFlow.js (a separate entry point: loading it
 * loads TensorFlow.js; backtests of rules strategies and the backend never do).
 */
export * from './split.js';
export * from './class-report.js';
export * from './dataset.js';
export * from './model.js';
export * from './trainer.js';
export * from './serialize.js';
export * from './predict.js';
export * from './tensors.js';
