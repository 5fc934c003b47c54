import { Anchor, Group, Text } from '@mantine/core';
import { createChart, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { shortId } from '../format';
import { compareCaption, normalised, type ComparedRun } from './compare-runs';

const toTime = (iso: string) => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

/** The runs' equity curves overlaid, each normalised to 1 at its start, with a legend. */
export function CompareChart({ runs }: { runs: ComparedRun[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(ref.current, {
      height: 360,
      autoSize: true,
      layout: { attributionLogo: false },
      // thousands of daily points must fit the pane's width: the whole range is the point
      timeScale: { timeVisible: false, minBarSpacing: 0.001 },
    });
    for (const run of runs) {
      chart
        .addSeries(LineSeries, {
          color: run.colour,
          lineWidth: 2,
          priceLineVisible: false,
          title: shortId(run.operation.operation_id),
        })
        .setData(
          normalised(run.result.equity_curve).map((p) => ({
            time: toTime(p.time),
            value: p.value,
          })),
        );
    }
    // fitted again whenever the pane gets its size, so every run's start is in view
    const fit = () => chart.timeScale().fitContent();
    fit();
    const resized = new ResizeObserver(fit);
    resized.observe(ref.current);
    return () => {
      resized.disconnect();
      chart.remove();
    };
  }, [runs]);
  const caption = compareCaption(runs);
  return (
    <figure data-testid="compare-chart" aria-label={caption} style={{ margin: 0 }}>
      <Group gap="md" mb="xs" data-testid="compare-legend">
        {runs.map((run) => (
          <Group key={run.operation.operation_id} gap={6} wrap="nowrap">
            <span
              aria-hidden
              style={{ width: 14, height: 3, background: run.colour, display: 'inline-block' }}
            />
            <Text size="sm" data-testid="legend-run">
              {run.title}
            </Text>
            <Anchor
              component={Link}
              to={`/operations/${run.operation.operation_id}`}
              size="xs"
              ff="monospace"
              aria-label={`Open ${run.operation.operation_id}`}
            >
              {shortId(run.operation.operation_id)}
            </Anchor>
          </Group>
        ))}
      </Group>
      <div ref={ref} style={{ height: 360 }} />
      <figcaption style={{ fontSize: 12, color: 'var(--mantine-color-dimmed)' }}>
        {caption}
      </figcaption>
    </figure>
  );
}
