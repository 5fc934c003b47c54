export * from './bars.js';
export * from './csv.js';
export * from './random-walk.js';
export * from './resample.js';
