import type { Bars } from '../data/bars.js';
import { FLAT, LONG, SHORT, UNTIMED, type Book } from './book.js';
import type { BacktestHooks, EngineState } from './engine.js';
import { markFlat, markFlatFull } from './flat.js';
import { markHeld, type HeldStretch } from './held.js';
import type { ReturnSumsFeed } from './return-sums.js';
import type { SignalSet } from './signals.js';
import { checkpointTrades } from './trade-records.js';
import { REVERSE, RUIN, SIGNAL, STOP_LOSS, TAKE_PROFIT } from './trade-log.js';

/** What the loop carries from bar to bar besides the {@link Book}. */
export interface LoopState {
  /** The side wanted from the next open, when `hasPending`. */
  pendingTarget: number;
  hasPending: boolean;
  barsInMarket: number;
  peak: number;
  /** Epoch ms of the bar at which equity reached zero; NaN if never. */
  ruinTime: number;
}

/** The first index from `from` at which `flags` is set, or `n`. */
function nextSet(flags: Uint8Array, from: number, n: number): number {
  const at = flags.indexOf(1, from);
  return at < 0 ? n : at;
}

/** The first bar from `from` after which a hook called every `every` bars is due. */
function nextDue(every: number, from: number): number {
  return Math.ceil((from + 1) / every) * every - 1;
}

/**
 * The bars `startAt..n-1` of a run (see `runBacktest` for the execution model), writing
 * each bar's equity (and drawdown, when `drawdown` is given) and updating `book` and
 * `state`, and feeding `sums` the equity as it is written (the first pass of the metrics,
 * on bars still in the cache). The loop's state lives in locals, the position in the book's fields. With
 * `excursions`, the book also follows each position's lowest low and highest high over the
 * bars it is held at the close of, but the last (a position still open there is closed at
 * that bar, which its excursions leave out): the bars its excursions are taken over, read
 * while the loop has them at hand.
 *
 * Most bars change nothing but the equity: a flat one with nothing pending and no entry
 * signal (its equity is the cash: a stretch of them is filled at once, up to the next
 * entry signal or hook), and a held one whose range reaches no exit price and that
 * signals nothing (marked to its close in a short loop of its own). Only the others go
 * through the full body.
 */
export function runBars(
  bars: Bars,
  signals: SignalSet,
  book: Book,
  state: LoopState,
  startAt: number,
  equity: Float64Array,
  drawdown: Float64Array | undefined,
  excursions: boolean,
  hooks: BacktestHooks,
  sums: ReturnSumsFeed,
): void {
  const n = bars.time.length;
  const { open, high, low, close, time } = bars;
  const { entryLong, exitLong, entryShort, exitShort } = signals;
  const protect = book.rules.stopLoss > 0 || book.rules.takeProfit > 0;
  const tickEvery = Math.max(1, Math.floor(hooks.tickEvery ?? 1000));
  const checkpointEvery = Math.max(0, Math.floor(hooks.checkpointEvery ?? 0));
  const { onTick, onCheckpoint } = hooks;
  const checkpoints = onCheckpoint !== undefined && checkpointEvery > 0;
  // what a checkpoint's trades are made from, apart from `book`, which no closure may hold
  const { restored, log } = book;
  let { pendingTarget, hasPending, barsInMarket, peak, ruinTime } = state;
  let nextLong = -1;
  let nextShort = -1;
  const stretch: HeldStretch = { end: 0, peak: 0, lowest: 0, highest: 0 };

  for (let i = startAt; i < n; i++) {
    if (!hasPending) {
      // no hook on the bars skipped below: they stop short of the next one due
      let to = n;
      if (onTick) to = Math.min(to, nextDue(tickEvery, i));
      if (checkpoints) to = Math.min(to, nextDue(checkpointEvery, i));
      const side = book.side;
      if (side === FLAT) {
        // a quiet stretch: flat until an entry signal (none once ruined)
        if (Number.isNaN(ruinTime)) {
          if (nextLong < i) nextLong = nextSet(entryLong, i, n);
          if (nextShort < i) nextShort = nextSet(entryShort, i, n);
          to = Math.min(to, nextLong, nextShort);
        }
        if (to > i) {
          if (!Number.isNaN(ruinTime) && book.cash < 0) book.cash = 0;
          const value = book.cash;
          if (value > peak) peak = value;
          // a function per kind of run, as for the held stretches (see ./held.ts)
          const end = drawdown
            ? markFlatFull(bars, i, to, value, peak > 0 ? 1 - value / peak : 0, equity, drawdown)
            : markFlat(bars, i, to, value, equity);
          if (end > i) {
            // the bars before are taken as written; these at once (see ./return-sums.ts)
            sums.takeFlat(i, end, value);
            i = end - 1;
            continue;
          }
        }
      } else {
        // the last bar goes through the full body, which leaves it out of the excursions
        const heldTo = excursions ? Math.min(to, n - 1) : to;
        const long = side === LONG;
        const exit = long ? exitLong : exitShort;
        const reverse = long ? entryShort : entryLong;
        markHeld(bars, book, i, heldTo, peak, equity, drawdown, exit, reverse, stretch);
        const j = stretch.end;
        peak = stretch.peak;
        book.lowest = stretch.lowest;
        book.highest = stretch.highest;
        if (j > i) {
          barsInMarket += j - i;
          i = j - 1;
          continue;
        }
      }
    }
    let enteredNow = false;
    // a flat bar with nothing pending reads no prices at all
    if (hasPending || book.side !== FLAT) {
      // the fills of the loop leave their times for later (`TradeLog.record`): the bars
      // they happen at are the few whose prices no pass has brought into the cache, and
      // a time read here waits on memory with the whole loop behind it
      const t = UNTIMED;
      const o = open[i] as number;
      const ruined = !Number.isNaN(ruinTime);
      if (hasPending && !ruined) {
        if (book.side !== FLAT && book.side !== pendingTarget)
          book.close(o, t, i, pendingTarget === FLAT ? SIGNAL : REVERSE);
        if (pendingTarget !== FLAT && book.side === FLAT) {
          book.open(pendingTarget, o, t, i);
          enteredNow = book.side !== FLAT;
        }
        hasPending = false;
      }
      const side = book.side;
      const h = high[i] as number;
      const l = low[i] as number;
      // comparisons with an unset (NaN) stop or target are false, so only set ones fire
      if (protect && side !== FLAT) {
        const { stopPrice, takePrice } = book;
        if (side === LONG) {
          if (!enteredNow && o <= stopPrice) book.close(o, t, i, STOP_LOSS);
          else if (!enteredNow && o >= takePrice) book.close(o, t, i, TAKE_PROFIT);
          else if (l <= stopPrice) book.close(stopPrice, t, i, STOP_LOSS);
          else if (h >= takePrice) book.close(takePrice, t, i, TAKE_PROFIT);
        } else {
          if (!enteredNow && o >= stopPrice) book.close(o, t, i, STOP_LOSS);
          else if (!enteredNow && o <= takePrice) book.close(o, t, i, TAKE_PROFIT);
          else if (h >= stopPrice) book.close(stopPrice, t, i, STOP_LOSS);
          else if (l <= takePrice) book.close(takePrice, t, i, TAKE_PROFIT);
        }
      }
      // ruin: the price at which equity reaches zero, if this bar's range gets there
      if (book.side !== FLAT && book.units > 0) {
        const zeroAt = book.zeroAt;
        const long = book.side === LONG;
        if (long ? l <= zeroAt : h >= zeroAt) {
          const gapped = long ? o <= zeroAt : o >= zeroAt;
          book.close(gapped && !enteredNow ? o : zeroAt, t, i, RUIN);
          ruinTime = time[i] as number;
          hasPending = false;
        }
      }
      // held at this bar's close: its range was lived through; not so the last bar's, where
      // a position still open is closed at the end of the data (its exit bar)
      if (excursions && book.side !== FLAT && i + 1 < n) {
        book.lowest = Math.min(book.lowest, l);
        book.highest = Math.max(book.highest, h);
      }
    }
    if (!Number.isNaN(ruinTime) && book.cash < 0) book.cash = 0; // the loss beyond the capital is not carried
    const side = book.side;
    const value = book.cash + (side === FLAT ? 0 : side * book.units * (close[i] as number));
    equity[i] = value;
    if (value > peak) peak = value;
    if (drawdown) drawdown[i] = peak > 0 ? 1 - value / peak : 0;
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
        position: side * book.units,
        tradesSoFar: book.tradeCount,
      });
    }
    if (checkpoints && done % checkpointEvery === 0 && done < n) {
      // the state is packed here (a few numbers) so that no closure holds the loop's
      // variables, which would keep them out of registers; the copies wait for `take`
      const packed: EngineState = {
        cash: book.cash,
        side,
        units: book.units,
        entryPrice: book.entryPrice,
        entryTime: book.entryTimeIn(time),
        entryIndex: book.entryIndex,
        entryFees: book.entryFees,
        stopPrice: book.stopPrice,
        takePrice: book.takePrice,
        pendingTarget,
        hasPending,
        barsInMarket,
        peak,
        skippedEntries: book.skippedEntries,
        ruinTime,
      };
      // the log's rows are only appended to: the first `tradeCount` are these trades later
      const tradeCount = book.tradeCount;
      onCheckpoint(done, () => ({
        version: 1,
        barIndex: done,
        barCount: n,
        firstTime: time[0] as number,
        lastTime: time[n - 1] as number,
        state: packed,
        trades: checkpointTrades(restored, log, tradeCount, time),
        equity: equity.slice(0, done),
      }));
    }
  }
  Object.assign(state, { pendingTarget, hasPending, barsInMarket, peak, ruinTime });
}
