import { SimpleGrid, Text } from '@mantine/core';
import type { MetricRow } from '@ktrdr/shared';
import { createOptionsChart, LineSeries, type IChartApiBase } from 'lightweight-charts';
import { useEffect, useRef } from 'react';

/** The last row per epoch: a resumed run re-reports the epochs after its checkpoint. */
export function latestPerEpoch(rows: readonly MetricRow[]): MetricRow[] {
  const byEpoch = new Map<number, MetricRow>();
  for (const row of rows) if (row.epoch !== undefined) byEpoch.set(row.epoch, row);
  return [...byEpoch.values()].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
}

interface Curve {
  key: keyof MetricRow;
  label: string;
  color: string;
}

/** What an epoch chart shows: "Loss per epoch, epochs 1 → 12 (12), last loss 0.4123, val loss 0.4410". */
export function epochCaption(rows: readonly MetricRow[], curves: readonly Curve[], label: string) {
  const first = rows[0]?.epoch;
  const last = rows.at(-1);
  if (first === undefined || !last) return `${label}: no epochs yet`;
  const values = curves
    .map((c) =>
      typeof last[c.key] === 'number' ? `${c.label} ${(last[c.key] as number).toFixed(4)}` : null,
    )
    .filter(Boolean)
    .join(', ');
  return `${label}, epochs ${first} → ${last.epoch} (${rows.length}), last ${values}`;
}

/** One chart with an epoch axis (lightweight-charts' numeric horizontal scale). */
function EpochChart({
  rows,
  curves,
  label,
}: {
  rows: MetricRow[];
  curves: Curve[];
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApiBase<number> | null>(null);
  const series = useRef<ReturnType<IChartApiBase<number>['addSeries']>[]>([]);
  useEffect(() => {
    if (!ref.current) return;
    const c = createOptionsChart(ref.current, {
      height: 220,
      autoSize: true,
      layout: { attributionLogo: false },
      localization: { priceFormatter: (v: number) => v.toFixed(3) },
    });
    chart.current = c;
    series.current = curves.map((curve) =>
      c.addSeries(LineSeries, {
        color: curve.color,
        lineWidth: 2,
        title: curve.label,
        priceLineVisible: false,
      }),
    );
    return () => {
      c.remove();
      chart.current = null;
    };
    // the curves of a chart never change; only its data does
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    curves.forEach((curve, i) => {
      const points = rows
        .filter((r) => typeof r[curve.key] === 'number')
        .map((r) => ({ time: r.epoch ?? 0, value: r[curve.key] as number }));
      series.current[i]?.setData(points);
    });
    chart.current?.timeScale().fitContent();
  }, [rows, curves]);
  const caption = epochCaption(rows, curves, label);
  return (
    <figure aria-label={caption} data-testid="epoch-chart" style={{ margin: 0 }}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <div ref={ref} style={{ height: 220 }} />
      <Text component="figcaption" size="xs" c="dimmed">
        {caption}
      </Text>
    </figure>
  );
}

const LOSS: Curve[] = [
  { key: 'loss', label: 'loss', color: '#1c7ed6' },
  { key: 'val_loss', label: 'val loss', color: '#f08c00' },
];
const ACCURACY: Curve[] = [
  { key: 'accuracy', label: 'accuracy', color: '#1c7ed6' },
  { key: 'val_accuracy', label: 'val accuracy', color: '#f08c00' },
];

/** Loss and accuracy per epoch, training and validation, updated as epochs arrive. */
export function TrainingCurves({ rows }: { rows: readonly MetricRow[] }) {
  const epochs = latestPerEpoch(rows);
  if (epochs.length === 0) return <Text c="dimmed">The curves appear after the first epoch.</Text>;
  const last = epochs.at(-1);
  return (
    <div data-testid="training-curves" data-epochs={epochs.length}>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <EpochChart rows={epochs} curves={LOSS} label="Loss per epoch" />
        <EpochChart rows={epochs} curves={ACCURACY} label="Accuracy per epoch" />
      </SimpleGrid>
      <Text size="xs" c="dimmed" data-testid="last-epoch">
        Epoch {last?.epoch}: loss {last?.loss?.toFixed(4) ?? '—'}, val loss{' '}
        {last?.val_loss?.toFixed(4) ?? '—'}, accuracy {last?.accuracy?.toFixed(3) ?? '—'}, val
        accuracy {last?.val_accuracy?.toFixed(3) ?? '—'}
      </Text>
    </div>
  );
}
