import type { BacktestMetrics, StrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import { computeMetrics, type TradeRecord } from './metrics.js';
import { computeSignals } from './signals.js';

/** Money settings of a run. Commission and slippage are fractions (0.001 = 0.1 %). */
export interface BacktestSettings {
  initialCapital: number;
  commission: number;
  slippage: number;
}

/** What the engine tells its caller every `tickEvery` bars and at the end. */
export interface BacktestTick {
  /** Bars processed so far. */
  barsDone: number;
  barsTotal: number;
  /** Time of the last processed bar, epoch ms. */
  time: number;
  equity: number;
  /** Signed units held (negative = short). */
  position: number;
  tradesSoFar: number;
}

/** Hooks into a run. `onTick` may throw (e.g. a `CancelledError`) to stop the run. */
export interface BacktestHooks {
  /** How often `onTick` is called, in bars (default 1,000; the cancel check rides on it). */
  tickEvery?: number;
  onTick?: (tick: BacktestTick) => void;
}

/** The full outcome of a run: metrics, per-bar equity and drawdown, closed trades. */
export interface BacktestOutput {
  metrics: BacktestMetrics;
  time: Float64Array;
  equity: Float64Array;
  drawdown: Float64Array;
  trades: TradeRecord[];
}

const FLAT = 0;
const LONG = 1;
const SHORT = -1;

/**
 * Runs a strategy over bars, event by event: signals are decided at a bar's close and
 * filled at the next bar's open, buys `slippage` above it and sells below, with
 * `commission` on each fill's notional. A position still open after the last bar is
 * closed at that bar's close so that the final equity is what the trader would hold.
 * Deterministic: same inputs, same output.
 */
export function runBacktest(
  bars: Bars,
  strategy: StrategyConfig,
  settings: BacktestSettings,
  hooks: BacktestHooks = {},
): BacktestOutput {
  const n = bars.time.length;
  const { open, close, time } = bars;
  const signals = computeSignals(strategy, bars);
  const { entryLong, exitLong, entryShort, exitShort } = signals;
  const sizing = strategy.position ?? { sizing: 'fraction_of_equity', value: 1 };
  const { commission, slippage } = settings;
  const tickEvery = Math.max(1, Math.floor(hooks.tickEvery ?? 1000));
  const onTick = hooks.onTick;

  const equity = new Float64Array(n);
  const drawdown = new Float64Array(n);
  const trades: TradeRecord[] = [];
  let cash = settings.initialCapital;
  let side = FLAT;
  let units = 0;
  let entryPrice = 0;
  let entryTime = 0;
  let entryIndex = 0;
  let entryFees = 0;
  let pendingTarget = FLAT; // the side wanted from the next open on
  let hasPending = false;
  let barsInMarket = 0;
  let peak = settings.initialCapital;

  const closePosition = (price: number, at: number, index: number) => {
    const fill = side === LONG ? price * (1 - slippage) : price * (1 + slippage);
    const fee = units * fill * commission;
    if (side === LONG) cash += units * fill - fee;
    else cash -= units * fill + fee;
    const gross = side === LONG ? (fill - entryPrice) * units : (entryPrice - fill) * units;
    trades.push({
      entryTime,
      exitTime: at,
      side: side === LONG ? 'long' : 'short',
      entryPrice,
      exitPrice: fill,
      size: units,
      pnl: gross - entryFees - fee,
      fees: entryFees + fee,
      holdingBars: index - entryIndex,
    });
    side = FLAT;
    units = 0;
  };

  const openPosition = (target: number, price: number, at: number, index: number) => {
    const fill = target === LONG ? price * (1 + slippage) : price * (1 - slippage);
    const size =
      sizing.sizing === 'fixed_units'
        ? sizing.value
        : (cash * sizing.value) / (fill * (1 + commission));
    if (!(size > 0)) return;
    const fee = size * fill * commission;
    if (target === LONG) cash -= size * fill + fee;
    else cash += size * fill - fee;
    side = target;
    units = size;
    entryPrice = fill;
    entryTime = at;
    entryIndex = index;
    entryFees = fee;
  };

  for (let i = 0; i < n; i++) {
    const t = time[i] as number;
    if (hasPending) {
      const price = open[i] as number;
      if (side !== FLAT && side !== pendingTarget) closePosition(price, t, i);
      if (pendingTarget !== FLAT && side === FLAT) openPosition(pendingTarget, price, t, i);
      hasPending = false;
    }
    const c = close[i] as number;
    const value = cash + (side === FLAT ? 0 : side * units * c);
    equity[i] = value;
    if (value > peak) peak = value;
    drawdown[i] = peak > 0 ? 1 - value / peak : 0;
    if (side !== FLAT) barsInMarket++;

    // decide at the close, act at the next open
    let target = side;
    if (side === LONG) {
      if (entryShort[i]) target = SHORT;
      else if (exitLong[i]) target = FLAT;
    } else if (side === SHORT) {
      if (entryLong[i]) target = LONG;
      else if (exitShort[i]) target = FLAT;
    } else if (entryLong[i]) {
      target = LONG;
    } else if (entryShort[i]) {
      target = SHORT;
    }
    if (target !== side && i + 1 < n) {
      pendingTarget = target;
      hasPending = true;
    }

    if (onTick && (i + 1) % tickEvery === 0) {
      onTick({
        barsDone: i + 1,
        barsTotal: n,
        time: t,
        equity: value,
        position: side * units,
        tradesSoFar: trades.length,
      });
    }
  }

  if (side !== FLAT && n > 0) {
    closePosition(close[n - 1] as number, time[n - 1] as number, n - 1);
    equity[n - 1] = cash;
    if (cash > peak) peak = cash;
    drawdown[n - 1] = peak > 0 ? 1 - cash / peak : 0;
  }
  if (onTick) {
    const last = n - 1;
    onTick({
      barsDone: n,
      barsTotal: n,
      time: n > 0 ? (time[last] as number) : 0,
      equity: n > 0 ? (equity[last] as number) : cash,
      position: 0,
      tradesSoFar: trades.length,
    });
  }
  return {
    metrics: computeMetrics(time, equity, trades, barsInMarket),
    time,
    equity,
    drawdown,
    trades,
  };
}
