export * from './registry.js';
export * from './cache.js';
