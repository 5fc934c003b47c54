export * from './engine.js';
export * from './metrics.js';
export * from './signals.js';
export * from './result.js';
export * from './checkpoint.js';
export * from './analysis.js';
export * from './segments.js';
// sweeps reach the indicator cache where they reach the engine
export { IndicatorCache, indicatorKey } from '../indicators/cache.js';
export * from './indicator-series.js';
