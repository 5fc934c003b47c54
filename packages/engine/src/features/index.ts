export * from './fuzzy.js';
export * from './zigzag.js';
export * from './feature-spec.js';
export * from './feature-matrix.js';
