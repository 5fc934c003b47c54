export * from './data/index.js';
export * from './indicators/index.js';
export * from './strategies/index.js';
export * from './backtest/index.js';
export { strategyWarmup, feasibilityIssues } from './validate/index.js';
export * from './features/index.js';
