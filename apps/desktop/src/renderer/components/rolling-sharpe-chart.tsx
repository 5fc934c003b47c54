import { Alert, Group, NumberInput, Text } from '@mantine/core';
import { createChart, LineSeries, type Time } from 'lightweight-charts';
import { rollingSharpe, rollingSharpeWindowError, thinLine, type FullResult } from '@ktrdr/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { joinResultPage, type ShadedRange } from './chart-bands';
import { ChartFigure } from './chart-figure';
import { chartOptions, chartTime, type TimeSync } from './chart-sync';

const NO_BANDS: readonly ShadedRange[] = [];
const HEIGHT = 200;
/** A quarter of daily bars. */
export const DEFAULT_SHARPE_WINDOW = 63;
/** Points drawn at most; the values are computed over every bar first. */
const MAX_POINTS = 5000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The rolling Sharpe of the run (docs/metrics.md), computed over the full curve (every
 * bar's equity, not the downsampled display curve), with its window in bars set by the
 * trader. A window that cannot be used (0, negative, fractional, longer than the run)
 * says why instead of being clamped to one that can.
 */
export function RollingSharpeChart({
  full,
  title,
  sync,
  shaded = NO_BANDS,
}: {
  full: Pick<FullResult, 'time' | 'equity'>;
  title: string;
  sync?: TimeSync;
  shaded?: readonly ShadedRange[];
}) {
  const [input, setInput] = useState<string | number>(DEFAULT_SHARPE_WINDOW);
  const window = typeof input === 'number' ? input : Number.NaN;
  const points = full.equity.length;
  const error =
    input === ''
      ? 'window must be a whole number of bars'
      : rollingSharpeWindowError(window, points);
  const line = useMemo(
    () => (error ? null : thinLine(rollingSharpe(full.time, full.equity, window), MAX_POINTS)),
    [full, window, error],
  );
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current || !line) return;
    const chart = createChart(ref.current, chartOptions(HEIGHT));
    // the bars before the first full window are blank, so this chart spans the run's whole
    // range like the others and fitting it never cuts their start off
    const blank = Array.from(full.time.subarray(0, window), (t) => ({ time: chartTime(t) }));
    const times: Time[] = [...blank.map((b) => b.time), ...line.time.map(chartTime)];
    chart
      .addSeries(LineSeries, {
        color: '#0ca678',
        lineWidth: 1,
        priceLineVisible: false,
        title: `Sharpe (${window})`,
      })
      .setData([
        ...blank,
        ...line.time.map((t, i) => ({ time: chartTime(t), value: line.value[i]! })),
      ]);
    const leave = joinResultPage(chart, ref.current, times, shaded, sync);
    return () => {
      leave();
      chart.remove();
    };
  }, [line, full, window, shaded, sync]);

  const label = line
    ? `Rolling Sharpe (${window} bars) ${title}, ${day(line.time[0]!)} → ${day(line.time[line.time.length - 1]!)}, ${(points - window).toLocaleString('en-US')} windows, annualized, last ${line.value[line.value.length - 1]!.toFixed(2)}`
    : `Rolling Sharpe ${title}: ${error}`;
  return (
    <ChartFigure testId="rolling-sharpe" label={label} shaded={shaded}>
      <Group align="flex-end" mb="xs">
        <NumberInput
          label="Window (bars)"
          value={input}
          onChange={setInput}
          // no min/max: Mantine would clamp a bad window on blur; the message says why instead
          allowDecimal
          w={140}
          size="xs"
          data-testid="sharpe-window"
        />
        <Text size="xs" c="dimmed">
          Sharpe of each {Number.isFinite(window) ? window : '…'} bars’ returns, annualized as the
          headline Sharpe
        </Text>
      </Group>
      {error ? (
        <Alert color="red" data-testid="sharpe-window-error">
          {error}
        </Alert>
      ) : (
        <div ref={ref} style={{ height: HEIGHT }} />
      )}
    </ChartFigure>
  );
}
