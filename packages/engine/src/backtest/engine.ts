import type { BacktestMetrics, RulesStrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import {
  buyAndHold,
  periodReturns,
  tradeExcursions,
  type Benchmark,
  type PeriodReturns,
} from './analysis.js';
import { barReturns, computeMetrics, type ExitReason, type TradeRecord } from './metrics.js';
import { borrowBuffer, returnBuffer } from './scratch.js';
import { computeSignals, type SignalSet } from './signals.js';

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

/** Everything the loop carries from one bar to the next. */
export interface EngineState {
  cash: number;
  /** 1 long, −1 short, 0 flat. */
  side: number;
  units: number;
  entryPrice: number;
  entryTime: number;
  entryIndex: number;
  entryFees: number;
  /** Protective exit prices of the open position (NaN when none). */
  stopPrice: number;
  takePrice: number;
  /** The side wanted from the next open, when `hasPending`. */
  pendingTarget: number;
  hasPending: boolean;
  barsInMarket: number;
  peak: number;
  /** Entries the cash could not pay for (absent in checkpoints written before it existed). */
  skippedEntries?: number;
  /** Epoch ms of the bar at which equity reached zero and the run stopped trading; NaN if never. */
  ruinTime?: number;
}

/**
 * A snapshot of a run after `barIndex` bars: resuming from it gives exactly the result of
 * the uninterrupted run (signals are recomputed from the same bars; the state, the trades
 * and the equity so far are restored).
 */
export interface BacktestCheckpoint {
  version: 1;
  barIndex: number;
  /** Identity of the data it was taken on, checked on resume. */
  barCount: number;
  firstTime: number;
  lastTime: number;
  state: EngineState;
  trades: TradeRecord[];
  /** Equity of bars `0..barIndex-1`. */
  equity: Float64Array;
}

/** Hooks into a run. `onTick` may throw (e.g. a `CancelledError`) to stop the run. */
export interface BacktestHooks {
  /** How often `onTick` is called, in bars (default 1,000; the cancel check rides on it). */
  tickEvery?: number;
  onTick?: (tick: BacktestTick) => void;
  /** Offer a snapshot every this many bars (0 or unset: never). */
  checkpointEvery?: number;
  /**
   * Called every `checkpointEvery` bars with a function that builds the snapshot: call it
   * only when you want one (building copies the equity path so far).
   */
  onCheckpoint?: (barIndex: number, take: () => BacktestCheckpoint) => void;
  /** Continue from a snapshot of an earlier run on the same bars. */
  resumeFrom?: BacktestCheckpoint;
  /**
   * `'metrics'`: return only a {@link BacktestSummary} and skip what only a full result
   * needs (per-bar drawdown, trade excursions, the benchmark, period returns). Its metrics,
   * final equity, skipped entries and ruin are bit for bit those of the full run: the
   * loop is the same one. For sweeps, which keep a set's metrics and nothing else.
   * Default `'full'`.
   */
  detail?: 'full' | 'metrics';
}

/** What a metrics-only run returns (`detail: 'metrics'`); a full run returns it too. */
export interface BacktestSummary {
  metrics: BacktestMetrics;
  /** Equity after the last bar (open positions closed), or the capital when there are no bars. */
  finalEquity: number;
  /** Entries skipped because the cash could not pay for them. */
  skippedEntries: number;
  /** When equity reached zero and the run stopped trading (epoch ms), or null. */
  ruinTime: number | null;
}

/** The full outcome of a run: metrics, per-bar equity and drawdown, closed trades. */
export interface BacktestOutput extends BacktestSummary {
  time: Float64Array;
  equity: Float64Array;
  drawdown: Float64Array;
  trades: TradeRecord[];
  /** Buy and hold of the same bars, and how the run compares. */
  benchmark: Benchmark;
  /** Monthly and yearly returns. */
  periods: PeriodReturns;
}

/** The checkpoint does not belong to these bars. */
export class CheckpointMismatchError extends Error {
  override readonly name = 'CheckpointMismatchError';
}

const FLAT = 0;
const LONG = 1;
const SHORT = -1;

function initialState(capital: number): EngineState {
  return {
    cash: capital,
    side: FLAT,
    units: 0,
    entryPrice: 0,
    entryTime: 0,
    entryIndex: 0,
    entryFees: 0,
    stopPrice: Number.NaN,
    takePrice: Number.NaN,
    pendingTarget: FLAT,
    hasPending: false,
    barsInMarket: 0,
    peak: capital,
    skippedEntries: 0,
    ruinTime: Number.NaN,
  };
}

/**
 * Runs a rules strategy over bars, event by event. Signals are decided at a bar's close
 * and filled at the next bar's open, buys `slippage` above it and sells below, with
 * `commission` on each fill's notional. Stop-loss and take-profit (fractions of the
 * entry price) are checked against each bar: a bar that opens beyond either level fills
 * there at the open (the open is the bar's first price, so that level was reached first);
 * otherwise against its range, the stop first when both are touched. An entry the cash
 * cannot pay for (its notional and commission above equity × leverage, leverage 1 unless
 * `risk.leverage` says otherwise) is skipped and counted. Equity never goes below zero:
 * when a bar's range takes it there, the position is liquidated where equity reaches zero
 * (at the open if it gapped through) and the run trades no more (`ruin`). A position still
 * open after the last bar is closed at that bar's close. Deterministic: same inputs, same
 * output — also when resumed from a checkpoint.
 */
// the full overload last: `ReturnType<typeof runBacktest>` reads the last one
export function runBacktest(
  bars: Bars,
  strategy: RulesStrategyConfig,
  settings: BacktestSettings,
  hooks: BacktestHooks & { detail: 'metrics' },
): BacktestSummary;
export function runBacktest(
  bars: Bars,
  strategy: RulesStrategyConfig,
  settings: BacktestSettings,
  hooks?: BacktestHooks & { detail?: 'full' },
): BacktestOutput;
export function runBacktest(
  bars: Bars,
  strategy: RulesStrategyConfig,
  settings: BacktestSettings,
  hooks: BacktestHooks = {},
): BacktestOutput | BacktestSummary {
  return runSignalsWith(bars, computeSignals(strategy, bars), strategy, settings, hooks);
}

/** How positions are sized and protected (a strategy's `position` and `risk`). */
export interface TradingRules {
  position?: { sizing: 'fraction_of_equity' | 'fixed_units'; value: number } | undefined;
  risk?:
    | {
        stop_loss?: number | undefined;
        take_profit?: number | undefined;
        /** Notional a position may reach, as a multiple of equity (default 1: no borrowing). */
        leverage?: number | undefined;
      }
    | undefined;
}

/**
 * The event loop itself, over signals computed elsewhere: a rules strategy's conditions
 * or a neural network's decisions. Same execution model, same results format. With
 * `detail: 'metrics'` it returns only the {@link BacktestSummary} (see {@link BacktestHooks}).
 */
// the full overload last: `ReturnType<typeof runSignals>` reads the last one
export function runSignals(
  bars: Bars,
  signals: SignalSet,
  rules: TradingRules,
  settings: BacktestSettings,
  hooks: BacktestHooks & { detail: 'metrics' },
): BacktestSummary;
export function runSignals(
  bars: Bars,
  signals: SignalSet,
  rules: TradingRules,
  settings: BacktestSettings,
  hooks?: BacktestHooks & { detail?: 'full' },
): BacktestOutput;
export function runSignals(
  bars: Bars,
  signals: SignalSet,
  rules: TradingRules,
  settings: BacktestSettings,
  hooks: BacktestHooks = {},
): BacktestOutput | BacktestSummary {
  return runSignalsWith(bars, signals, rules, settings, hooks);
}

function runSignalsWith(
  bars: Bars,
  signals: SignalSet,
  rules: TradingRules,
  settings: BacktestSettings,
  hooks: BacktestHooks,
): BacktestOutput | BacktestSummary {
  const full = (hooks.detail ?? 'full') === 'full';
  const n = bars.time.length;
  const { open, high, low, close, time } = bars;
  const { entryLong, exitLong, entryShort, exitShort } = signals;
  const sizing = rules.position ?? { sizing: 'fraction_of_equity', value: 1 };
  const stopLoss = rules.risk?.stop_loss ?? 0;
  const takeProfit = rules.risk?.take_profit ?? 0;
  const leverage = rules.risk?.leverage ?? 1;
  const { commission, slippage } = settings;
  const tickEvery = Math.max(1, Math.floor(hooks.tickEvery ?? 1000));
  const checkpointEvery = Math.max(0, Math.floor(hooks.checkpointEvery ?? 0));
  const { onTick, onCheckpoint } = hooks;
  const protect = stopLoss > 0 || takeProfit > 0;

  // a metrics-only run returns no equity curve, so it works in a borrowed one
  const equity = full ? new Float64Array(n) : borrowBuffer('equity', n);
  // a metrics-only run keeps no drawdown curve (metrics read the equity alone)
  const drawdown = new Float64Array(full ? n : 0);
  let trades: TradeRecord[] = [];
  let s = initialState(settings.initialCapital);
  let startAt = 0;

  const resume = hooks.resumeFrom;
  if (resume) {
    if (resume.barCount !== n || resume.firstTime !== time[0] || resume.lastTime !== time[n - 1]) {
      throw new CheckpointMismatchError(
        `the checkpoint was taken on other data (${resume.barCount} bars from ${new Date(resume.firstTime).toISOString()}), not on these ${n} bars`,
      );
    }
    s = { ...resume.state };
    trades = resume.trades.map((t) => ({ ...t }));
    startAt = resume.barIndex;
    equity.set(resume.equity.subarray(0, startAt));
    // drawdown is a pure function of the equity path: rebuild it the way the loop does
    let peak = settings.initialCapital;
    for (let i = 0; i < startAt; i++) {
      const e = equity[i] as number;
      if (e > peak) peak = e;
      if (full) drawdown[i] = peak > 0 ? 1 - e / peak : 0;
    }
  }

  // the loop works on locals (fast); `s` is only packed and unpacked at checkpoints
  let {
    cash,
    side,
    units,
    entryPrice,
    entryTime,
    entryIndex,
    entryFees,
    stopPrice,
    takePrice,
    pendingTarget,
    hasPending,
    barsInMarket,
    peak,
  } = s;
  let skippedEntries = s.skippedEntries ?? 0;
  let ruinTime = s.ruinTime ?? Number.NaN;
  // the price at which equity reaches zero: cash and units only change with the position,
  // so it is worked out when one opens (or is restored), not on every bar it is held
  const zeroPrice = () => (side === LONG ? -cash / units : cash / units);
  let zeroAt = side !== FLAT && units > 0 ? zeroPrice() : Number.NaN;

  // the bars each trade of this run opened and closed at, for its excursions
  const entryIndices: number[] = [];
  const exitIndices: number[] = [];
  const closePosition = (price: number, at: number, index: number, reason: ExitReason) => {
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
      exitReason: reason,
    });
    entryIndices.push(entryIndex);
    exitIndices.push(index);
    side = FLAT;
    units = 0;
    stopPrice = Number.NaN;
    takePrice = Number.NaN;
  };

  const openPosition = (target: number, price: number, at: number, index: number) => {
    const fill = target === LONG ? price * (1 + slippage) : price * (1 - slippage);
    const size =
      sizing.sizing === 'fixed_units'
        ? sizing.value
        : (cash * sizing.value) / (fill * (1 + commission));
    if (!(size > 0)) return;
    // flat here, so equity is the cash: no entry it cannot pay for (or borrow, with leverage)
    if (size * fill * (1 + commission) > cash * leverage * (1 + 1e-12)) {
      skippedEntries++;
      return;
    }
    const fee = size * fill * commission;
    if (target === LONG) cash -= size * fill + fee;
    else cash += size * fill - fee;
    side = target;
    units = size;
    entryPrice = fill;
    entryTime = at;
    entryIndex = index;
    entryFees = fee;
    stopPrice = stopLoss > 0 ? fill * (1 - target * stopLoss) : Number.NaN;
    takePrice = takeProfit > 0 ? fill * (1 + target * takeProfit) : Number.NaN;
    zeroAt = zeroPrice();
  };

  for (let i = startAt; i < n; i++) {
    let enteredNow = false;
    // a flat bar with nothing pending reads no prices at all (half the bars of a long-only run)
    if (hasPending || side !== FLAT) {
      const t = time[i] as number;
      const o = open[i] as number;
      const ruined = !Number.isNaN(ruinTime);
      if (hasPending && !ruined) {
        if (side !== FLAT && side !== pendingTarget)
          closePosition(o, t, i, pendingTarget === FLAT ? 'signal' : 'reverse');
        if (pendingTarget !== FLAT && side === FLAT) {
          openPosition(pendingTarget, o, t, i);
          enteredNow = side !== FLAT;
        }
        hasPending = false;
      }
      const h = high[i] as number;
      const l = low[i] as number;
      // comparisons with an unset (NaN) stop or target are false, so only set ones fire
      if (protect && side !== FLAT) {
        if (side === LONG) {
          if (!enteredNow && o <= stopPrice) closePosition(o, t, i, 'stop_loss');
          else if (!enteredNow && o >= takePrice) closePosition(o, t, i, 'take_profit');
          else if (l <= stopPrice) closePosition(stopPrice, t, i, 'stop_loss');
          else if (h >= takePrice) closePosition(takePrice, t, i, 'take_profit');
        } else {
          if (!enteredNow && o >= stopPrice) closePosition(o, t, i, 'stop_loss');
          else if (!enteredNow && o <= takePrice) closePosition(o, t, i, 'take_profit');
          else if (h >= stopPrice) closePosition(stopPrice, t, i, 'stop_loss');
          else if (l <= takePrice) closePosition(takePrice, t, i, 'take_profit');
        }
      }
      // ruin: the price at which equity reaches zero, if this bar's range gets there
      if (side !== FLAT && units > 0) {
        const reached = side === LONG ? l <= zeroAt : h >= zeroAt;
        if (reached) {
          const gapped = side === LONG ? o <= zeroAt : o >= zeroAt;
          closePosition(gapped && !enteredNow ? o : zeroAt, t, i, 'ruin');
          ruinTime = t;
          hasPending = false;
        }
      }
    }
    if (!Number.isNaN(ruinTime) && cash < 0) cash = 0; // the loss beyond the capital is not carried
    const value = cash + (side === FLAT ? 0 : side * units * (close[i] as number));
    equity[i] = value;
    if (value > peak) peak = value;
    if (full) drawdown[i] = peak > 0 ? 1 - value / peak : 0;
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
    if (target !== side && i + 1 < n && Number.isNaN(ruinTime)) {
      pendingTarget = target;
      hasPending = true;
    }

    const done = i + 1;
    if (onTick && done % tickEvery === 0) {
      onTick({
        barsDone: done,
        barsTotal: n,
        time: time[i] as number,
        equity: value,
        position: side * units,
        tradesSoFar: trades.length,
      });
    }
    if (onCheckpoint && checkpointEvery > 0 && done % checkpointEvery === 0 && done < n) {
      // the state is packed here (a few numbers) so that no closure holds the loop's
      // variables, which would keep them out of registers; the copies wait for `take`
      const state: EngineState = {
        cash,
        side,
        units,
        entryPrice,
        entryTime,
        entryIndex,
        entryFees,
        stopPrice,
        takePrice,
        pendingTarget,
        hasPending,
        barsInMarket,
        peak,
        skippedEntries,
        ruinTime,
      };
      const tradeCount = trades.length;
      onCheckpoint(done, () => ({
        version: 1,
        barIndex: done,
        barCount: n,
        firstTime: time[0] as number,
        lastTime: time[n - 1] as number,
        state,
        trades: trades.slice(0, tradeCount).map((tr) => ({ ...tr })),
        equity: equity.slice(0, done),
      }));
    }
  }

  if (side !== FLAT && n > 0) {
    closePosition(close[n - 1] as number, time[n - 1] as number, n - 1, 'end_of_data');
    equity[n - 1] = cash;
    if (cash > peak) peak = cash;
    if (full) drawdown[n - 1] = peak > 0 ? 1 - cash / peak : 0;
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
  // borrowed by metrics-only runs (a sweep's sets reuse them); a full run's are its own
  const returns = full ? barReturns(equity) : barReturns(equity, borrowBuffer('returns', n));
  const summary: BacktestSummary = {
    metrics: computeMetrics(time, equity, trades, barsInMarket, returns),
    finalEquity: n > 0 ? (equity[n - 1] as number) : cash,
    skippedEntries,
    ruinTime: Number.isNaN(ruinTime) ? null : ruinTime,
  };
  if (!full) {
    returnBuffer('equity', equity);
    returnBuffer('returns', returns);
    return summary;
  }
  // trades restored from a checkpoint come first, and only their times are known
  const restored = trades.length - entryIndices.length;
  trades.forEach((trade, k) => {
    const { mae, mfe } =
      k < restored
        ? tradeExcursions(trade, bars)
        : tradeExcursions(trade, bars, {
            entryIndex: entryIndices[k - restored] as number,
            exitIndex: exitIndices[k - restored] as number,
          });
    trade.mae = mae;
    trade.mfe = mfe;
  });
  return {
    ...summary,
    time,
    equity,
    drawdown,
    trades,
    benchmark: buyAndHold(time, close, equity, returns),
    periods: periodReturns(time, equity, settings.initialCapital),
  };
}
