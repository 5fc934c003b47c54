export * from './engine.js';
export * from './metrics.js';
export * from './signals.js';
export * from './result.js';
export * from './checkpoint.js';
export * from './analysis.js';
