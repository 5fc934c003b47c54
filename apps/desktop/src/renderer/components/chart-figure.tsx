import { Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { bandColour, type ShadedRange } from './chart-bands';

/** "train (in sample) 2012-01-03 → 2014-06-30": a shaded range as the caption names it. */
const rangeText = (s: ShadedRange) => `${s.label} ${s.from.slice(0, 10)} → ${s.to.slice(0, 10)}`;

/**
 * A chart as a `<figure>`: its aria-label and visible caption say what it shows, its
 * range and its counts (so a screen reader and a test read the same sentence), and the
 * shaded ranges, if any, get a legend (and are named in the aria-label too: a band is
 * part of what the chart says).
 */
export function ChartFigure({
  testId,
  label,
  children,
  note,
  shaded = [],
  attributes,
}: {
  testId: string;
  label: string;
  children: ReactNode;
  /** A second caption line (e.g. the dates in view). */
  note?: ReactNode;
  shaded?: readonly ShadedRange[];
  attributes?: Record<`data-${string}`, string | number | undefined>;
}) {
  return (
    <figure
      data-testid={testId}
      aria-label={
        shaded.length > 0 ? `${label}; shaded: ${shaded.map(rangeText).join(', ')}` : label
      }
      style={{ margin: 0 }}
      {...attributes}
    >
      {children}
      <figcaption style={{ fontSize: 12, color: 'var(--mantine-color-dimmed)' }}>
        <div data-testid={`${testId}-caption`}>{label}</div>
        {note && <div>{note}</div>}
        {shaded.length > 0 && (
          <Group gap="sm" mt={2} data-testid={`${testId}-shaded`}>
            {shaded.map((s, i) => (
              <Group key={`${s.label}-${s.from}`} gap={4}>
                <span
                  aria-hidden
                  style={{
                    display: 'inline-block',
                    width: 12,
                    height: 10,
                    background: bandColour(s.label, i).replace(/[\d.]+\)$/, '0.5)'),
                  }}
                />
                <Text span size="xs">
                  {rangeText(s)}
                </Text>
              </Group>
            ))}
          </Group>
        )}
      </figcaption>
    </figure>
  );
}
