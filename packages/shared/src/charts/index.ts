export * from './candles.js';
export * from './buy-and-hold.js';
export * from './rolling-sharpe.js';
export * from './trade-markers.js';
