import type { Bars } from '../data/bars.js';
import { followedExcursions, tradeExcursions } from './analysis.js';
import type { Book } from './book.js';
import type { TradeLog } from './trade-log.js';
import { tallyOf, type TradeRecord, type TradeTally } from './metrics.js';

/**
 * The trades a run returns, made from its book at the end: the restored ones (copies)
 * first, then those of its {@link Book.log}, each with its MAE and MFE, from what the loop
 * followed of it where it can. Timing, excursions and the object are one pass per trade,
 * which reads the times and prices at the trade's bars once.
 */
export function runTrades(book: Book, bars: Bars): TradeRecord[] {
  const { restored, log } = book;
  const trades: TradeRecord[] = [];
  // trades restored from a checkpoint (the run's own copies) come first, and only their
  // times are known
  for (const trade of restored) {
    const { mae, mfe } = tradeExcursions(trade, bars);
    trade.mae = mae;
    trade.mfe = mfe;
    trades.push(trade);
  }
  for (let k = 0; k < log.count; k++) {
    const trade = log.record(k, bars.time, true);
    const { mae, mfe } = followedExcursions(trade, bars, {
      entryIndex: log.entryIndex(k),
      exitIndex: log.exitIndex(k),
      lowest: log.lowest(k),
      highest: log.highest(k),
    });
    trade.mae = mae;
    trade.mfe = mfe;
    trades.push(trade);
  }
  return trades;
}

/**
 * The first `count` trades of a book (its `restored` and its `log`) as a checkpoint keeps
 * them: timed, without excursions.
 */
export function checkpointTrades(
  restored: readonly TradeRecord[],
  log: TradeLog,
  count: number,
  time: Float64Array,
): TradeRecord[] {
  const trades = restored.slice(0, count).map((t) => ({ ...t }));
  for (let k = 0; k < count - restored.length; k++) trades.push(log.record(k, time, false));
  return trades;
}

/** What the metrics read of `book`'s trades, in their order, without making them. */
export function tallyTrades(book: Book): TradeTally {
  const { log } = book;
  const tally = tallyOf(book.restored);
  for (let k = 0; k < log.count; k++) tally.add(log.pnl(k), log.holdingBars(k));
  return tally;
}
