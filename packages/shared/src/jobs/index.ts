export * from './job-kind.js';
export * from './backtesting.js';
export * from './training.js';
export * from './data-load.js';
export * from './sweep.js';
export * from './sweep-shard.js';
export * from './registry.js';
