export * from './config.js';
export * from './conditions.js';
