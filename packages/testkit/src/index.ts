export * from './wait.js';
export * from './temp-dir.js';
export * from './processes.js';
export * from './events.js';
export * from './ports.js';
export * from './harness-worker.js';
export * from './chaos.js';
export * from './test-lan.js';
