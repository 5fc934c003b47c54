/**
 * The buy-and-hold line drawn beside the equity curve: the initial capital held in the
 * series from the first bar's close, `capital × close[i] / close[0]`. The engine's
 * `benchmark.buy_and_hold_return` is measured over the same marks (first close to last
 * close), so the line's last value is `capital × (1 + buy_and_hold_return)`.
 */
export function buyAndHoldLine(
  time: ArrayLike<number>,
  close: ArrayLike<number>,
  initialCapital: number,
): { time: number[]; value: number[] } {
  const first = close[0] as number;
  const out = { time: [] as number[], value: [] as number[] };
  if (!(first > 0)) return out;
  for (let i = 0; i < time.length; i++) {
    out.time.push(time[i] as number);
    out.value.push((initialCapital * (close[i] as number)) / first);
  }
  return out;
}
