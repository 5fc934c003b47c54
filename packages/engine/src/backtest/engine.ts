import type { BacktestMetrics, RulesStrategyConfig } from '@ktrdr/shared';
import type { Bars } from '../data/bars.js';
import { buyAndHold, periodReturns, type Benchmark, type PeriodReturns } from './analysis.js';
import { runBars, type LoopState } from './bar-loop.js';
import { Book, FLAT } from './book.js';
import { equityStats } from './equity-stats.js';
import { computeMetrics, type TradeRecord } from './metrics.js';
import { ReturnSumsFeed } from './return-sums.js';
import { borrowBuffer, returnBuffer } from './scratch.js';
import { lendSignals, type SignalSet } from './signals.js';
import { END_OF_DATA, TradeLog } from './trade-log.js';
import { runTrades, tallyTrades } from './trade-records.js';

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
  // the flags are read by this run alone, so they (and the indicators behind them) are lent
  const { signals, giveBack } = lendSignals(strategy, bars);
  try {
    return runSignalsWith(bars, signals, strategy, settings, hooks);
  } finally {
    giveBack();
  }
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
  const { close, time } = bars;
  const sizing = rules.position ?? { sizing: 'fraction_of_equity', value: 1 };
  // the trades' rows are garbage once the trades are made, unless a checkpoint may read
  // them later: so the run works in a borrowed buffer (no megabytes allocated and dropped)
  const lendLog = hooks.onCheckpoint === undefined;
  const log = new TradeLog(
    lendLog ? new Float64Array(borrowBuffer('trade log', 4096).buffer) : undefined,
  );
  const book = new Book(
    {
      sizing: sizing.sizing,
      sizingValue: sizing.value,
      stopLoss: rules.risk?.stop_loss ?? 0,
      takeProfit: rules.risk?.take_profit ?? 0,
      leverage: rules.risk?.leverage ?? 1,
      commission: settings.commission,
      slippage: settings.slippage,
    },
    settings.initialCapital,
    // copies: the run's trades are its own
    hooks.resumeFrom?.trades.map((t) => ({ ...t })) ?? [],
    log,
  );
  const state: LoopState = {
    pendingTarget: FLAT,
    hasPending: false,
    barsInMarket: 0,
    peak: settings.initialCapital,
    ruinTime: Number.NaN,
  };

  // a metrics-only run returns no equity curve, so it works in a borrowed one
  const equity = full ? new Float64Array(n) : borrowBuffer('equity', n);
  // a metrics-only run keeps no drawdown curve (metrics read the equity alone)
  const drawdown = full ? new Float64Array(n) : undefined;
  let startAt = 0;

  const resume = hooks.resumeFrom;
  if (resume) {
    if (resume.barCount !== n || resume.firstTime !== time[0] || resume.lastTime !== time[n - 1]) {
      throw new CheckpointMismatchError(
        `the checkpoint was taken on other data (${resume.barCount} bars from ${new Date(resume.firstTime).toISOString()}), not on these ${n} bars`,
      );
    }
    restore(book, state, resume.state);
    startAt = resume.barIndex;
    equity.set(resume.equity.subarray(0, startAt));
    // drawdown is a pure function of the equity path: rebuild it the way the loop does
    let peak = settings.initialCapital;
    for (let i = 0; i < startAt; i++) {
      const e = equity[i] as number;
      if (e > peak) peak = e;
      if (drawdown) drawdown[i] = peak > 0 ? 1 - e / peak : 0;
    }
  }

  // the metrics' first pass, fed by the loop; the last bar waits for the close at the end
  const sums = new ReturnSumsFeed(equity, full ? close : undefined, n - 1);
  runBars(bars, signals, book, state, startAt, equity, drawdown, full, hooks, sums);

  let { peak } = state;
  if (book.side !== FLAT && n > 0) {
    book.close(close[n - 1] as number, time[n - 1] as number, n - 1, END_OF_DATA);
    equity[n - 1] = book.cash;
    if (book.cash > peak) peak = book.cash;
    if (drawdown) drawdown[n - 1] = peak > 0 ? 1 - book.cash / peak : 0;
  }
  // the trade objects are made here, once, and only when returned (see ./trade-log.ts):
  // before the passes over the equity push the trades' bars out of the cache
  const trades = full ? runTrades(book, bars) : undefined;
  if (hooks.onTick) {
    const last = n - 1;
    hooks.onTick({
      barsDone: n,
      barsTotal: n,
      time: n > 0 ? (time[last] as number) : 0,
      equity: n > 0 ? (equity[last] as number) : book.cash,
      position: 0,
      tradesSoFar: book.tradeCount,
    });
  }
  // one set of passes for the metrics and, in a full run, the benchmark
  const stats = equityStats(equity, full ? close : undefined, sums.finish());
  const { ruinTime } = state;
  const summary: BacktestSummary = {
    metrics: computeMetrics(time, equity, tallyTrades(book), state.barsInMarket, stats),
    finalEquity: n > 0 ? (equity[n - 1] as number) : book.cash,
    skippedEntries: book.skippedEntries,
    ruinTime: Number.isNaN(ruinTime) ? null : ruinTime,
  };
  // the trades are made and counted: no row is read again
  if (lendLog) returnBuffer('trade log', log.rows);
  if (!full) {
    returnBuffer('equity', equity);
    return summary;
  }
  const benchmark = buyAndHold(time, close, equity, stats);
  return {
    ...summary,
    time,
    equity,
    drawdown: drawdown as Float64Array,
    trades: trades as TradeRecord[],
    benchmark,
    periods: periodReturns(time, equity, settings.initialCapital),
  };
}

/** Puts a checkpoint's state back into a fresh book and loop state. */
function restore(book: Book, state: LoopState, saved: EngineState): void {
  book.cash = saved.cash;
  book.side = saved.side;
  book.units = saved.units;
  book.entryPrice = saved.entryPrice;
  book.entryTime = saved.entryTime;
  book.entryIndex = saved.entryIndex;
  book.entryFees = saved.entryFees;
  book.stopPrice = saved.stopPrice;
  book.takePrice = saved.takePrice;
  // absent in checkpoints written before they existed
  book.skippedEntries = saved.skippedEntries ?? 0;
  book.restoreZero();
  state.pendingTarget = saved.pendingTarget;
  state.hasPending = saved.hasPending;
  state.barsInMarket = saved.barsInMarket;
  state.peak = saved.peak;
  state.ruinTime = saved.ruinTime ?? Number.NaN;
}
