import type { Trade } from '../contracts/backtests.js';
import { candleTimeOf } from './candles.js';

/**
 * A marker as lightweight-charts' `createSeriesMarkers` takes it (structurally: this
 * module stays free of the charting library), its time in epoch seconds.
 */
export interface TradeMarker {
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown' | 'circle';
  color: string;
  text: string;
  /** The trade's index in the list given. */
  trade: number;
}

/**
 * Above this many markers in view they carry no text (a chart shows them once the trader
 * zooms in): a hundred labels hide the price and stretch its scale.
 */
export const MARKER_TEXT_LIMIT = 40;

const reason = (t: Trade) => (t.exit_reason ?? 'exit').replace(/_/g, ' ');

/**
 * An entry and an exit marker per trade: a long enters with a green arrow up below the
 * bar, a short with a red arrow down above it; the exit is a circle on the other side,
 * saying why it closed ("stop loss") and the trade's return. Times snap to the candle
 * that holds them (`candleTimes`, epoch ms, ascending) when bars are aggregated; the
 * markers come out in time order, as the library requires.
 */
export function tradeMarkers(
  trades: readonly Trade[],
  candleTimes?: readonly number[],
  withText = true,
): TradeMarker[] {
  const at = (iso: string) => {
    const ms = Date.parse(iso);
    return Math.floor((candleTimes ? candleTimeOf(candleTimes, ms) : ms) / 1000);
  };
  const markers: TradeMarker[] = [];
  trades.forEach((t, i) => {
    const long = t.side === 'long';
    const pct =
      t.return_pct === undefined
        ? ''
        : ` ${t.return_pct >= 0 ? '+' : ''}${(t.return_pct * 100).toFixed(1)} %`;
    markers.push({
      time: at(t.entry_time),
      position: long ? 'belowBar' : 'aboveBar',
      shape: long ? 'arrowUp' : 'arrowDown',
      color: long ? '#2f9e44' : '#e03131',
      text: withText ? (long ? 'Long' : 'Short') : '',
      trade: i,
    });
    markers.push({
      time: at(t.exit_time),
      position: long ? 'aboveBar' : 'belowBar',
      shape: 'circle',
      color: (t.pnl ?? 0) >= 0 ? '#1c7ed6' : '#f08c00',
      text: withText ? `${reason(t)}${pct}` : '',
      trade: i,
    });
  });
  // stable: an exit and the next entry on one bar keep their order (exit first)
  return markers
    .map((m, k) => ({ m, k }))
    .sort((a, b) => a.m.time - b.m.time || a.k - b.k)
    .map(({ m }) => m);
}
