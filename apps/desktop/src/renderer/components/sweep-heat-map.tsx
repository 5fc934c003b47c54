import { Box, Group, ScrollArea, Stack, Text } from '@mantine/core';
import type { LeaderboardRow, SweepResult } from '@ktrdr/shared';
import {
  formatMetric,
  metricLabel,
  SCALE_GRADIENT,
  scaleColour,
  showValue,
  sortValues,
  type SweepValue,
} from './sweep-space';

const key = (v: SweepValue | undefined) => `${typeof v}:${String(v)}`;

/** Where the labels go and how big a cell is, from how many there are. */
function layout(cols: number, rows: number) {
  const cellW = Math.max(18, Math.min(96, Math.floor(760 / cols)));
  const cellH = Math.max(14, Math.min(44, Math.floor(360 / rows)));
  const left = 96;
  const top = 8;
  const bottom = 52;
  return {
    cellW,
    cellH,
    left,
    top,
    width: left + cols * cellW + 8,
    height: top + rows * cellH + bottom,
    // label every n-th value when they would not fit
    everyX: Math.max(1, Math.ceil(44 / cellW)),
    everyY: Math.max(1, Math.ceil(14 / cellH)),
    showText: cellW >= 48 && cellH >= 20,
  };
}

/**
 * The objective over two swept parameters: one cell per pair (first parameter down, second
 * across), coloured from worst to best whichever way the objective runs, the best cell
 * outlined and starred. Cells not run yet are grey, failed ones pink, pairs a random sweep
 * never drew are empty; cells outside the constraints are faded. A cell opens its set.
 */
export function SweepHeatMap({
  result,
  onOpen,
}: {
  result: SweepResult;
  /** A cell opens its set (as a full backtest). */
  onOpen: (row: LeaderboardRow) => void;
}) {
  const [yPath, xPath] = result.dimensions;
  if (!yPath || !xPath) return null;
  const objective = result.objective;
  const ys = sortValues(uniq(result.leaderboard.map((r) => r.parameters[yPath])));
  const xs = sortValues(uniq(result.leaderboard.map((r) => r.parameters[xPath])));
  const cells = new Map<string, LeaderboardRow>();
  for (const row of result.leaderboard)
    cells.set(`${key(row.parameters[yPath])}|${key(row.parameters[xPath])}`, row);
  const values = result.leaderboard
    .map((r) => r.metrics?.[objective])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lo = values.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = values.reduce((a, b) => Math.max(a, b), -Infinity);
  const [worst, best] = result.direction === 'min' ? [hi, lo] : [lo, hi];
  const shade = (v: number) => (best === worst ? 1 : (v - worst) / (best - worst));
  const bestRow = result.leaderboard.find((r) => r.rank === 1);
  const L = layout(xs.length, ys.length);
  const yLabel = yPath;
  const xLabel = xPath;
  const caption = `Heat map of ${metricLabel(objective)} by ${yLabel} (rows) and ${xLabel} (columns), ${ys.length} × ${xs.length} cells, ${result.leaderboard.length} sets${values.length ? `, best ${formatMetric(objective, best)}` : ''}`;
  return (
    <Stack
      gap="xs"
      component="figure"
      aria-label={caption}
      m={0}
      data-testid="sweep-heatmap-figure"
    >
      <ScrollArea type="auto">
        <svg
          width={L.width}
          height={L.height}
          role="img"
          aria-label={`Heat map of ${metricLabel(objective)} by ${yLabel} (rows) and ${xLabel} (columns)`}
          data-testid="sweep-heatmap"
          data-rows={ys.length}
          data-cols={xs.length}
          style={{ fontFamily: 'var(--mantine-font-family)', fontSize: 11 }}
        >
          {ys.map((y, i) =>
            i % L.everyY === 0 ? (
              <text
                key={key(y)}
                x={L.left - 6}
                y={L.top + i * L.cellH + L.cellH / 2}
                textAnchor="end"
                dominantBaseline="middle"
                fill="var(--mantine-color-dimmed)"
              >
                {showValue(y)}
              </text>
            ) : null,
          )}
          {xs.map((x, j) =>
            j % L.everyX === 0 ? (
              <text
                key={key(x)}
                x={L.left + j * L.cellW + L.cellW / 2}
                y={L.top + ys.length * L.cellH + 14}
                textAnchor="middle"
                fill="var(--mantine-color-dimmed)"
              >
                {showValue(x)}
              </text>
            ) : null,
          )}
          <text
            x={L.left + (xs.length * L.cellW) / 2}
            y={L.top + ys.length * L.cellH + 36}
            textAnchor="middle"
            fontWeight={600}
          >
            {xLabel} →
          </text>
          <text
            transform={`translate(14 ${L.top + (ys.length * L.cellH) / 2}) rotate(-90)`}
            textAnchor="middle"
            fontWeight={600}
          >
            {yLabel} →
          </text>
          {ys.map((y, i) =>
            xs.map((x, j) => {
              const row = cells.get(`${key(y)}|${key(x)}`);
              const value = row?.metrics?.[objective];
              const has = typeof value === 'number' && Number.isFinite(value);
              const colour = has ? scaleColour(shade(value)) : null;
              const isBest = Boolean(row && bestRow && row.set_index === bestRow.set_index);
              const fill = colour
                ? colour.fill
                : !row
                  ? 'transparent'
                  : row.status === 'failed'
                    ? 'var(--mantine-color-red-1)'
                    : 'var(--mantine-color-gray-2)';
              const mark = has
                ? formatMetric(objective, value)
                : !row
                  ? ''
                  : row.status === 'failed'
                    ? 'failed'
                    : row.status === 'cancelled'
                      ? 'cancelled'
                      : row.status === 'completed'
                        ? 'no value'
                        : '…';
              const title = row
                ? `${yPath} = ${showValue(y)}, ${xPath} = ${showValue(x)}: ${metricLabel(objective)} ${has ? formatMetric(objective, value) : row.status}${row.rank ? ` (rank ${row.rank})` : ''}${row.metrics && !row.meets_constraints ? ', outside the constraints' : ''}${isBest ? ' — the best' : ''}`
                : `${yPath} = ${showValue(y)}, ${xPath} = ${showValue(x)}: not drawn`;
              const cx = L.left + j * L.cellW;
              const cy = L.top + i * L.cellH;
              const open = row ? () => onOpen(row) : undefined;
              return (
                <g
                  key={`${key(y)}|${key(x)}`}
                  data-testid="heatmap-cell"
                  data-row-value={String(y)}
                  data-col-value={String(x)}
                  data-value={has ? value : ''}
                  data-status={row?.status ?? 'none'}
                  data-best={isBest ? 'true' : undefined}
                  role={row ? 'link' : undefined}
                  aria-label={title}
                  tabIndex={row ? 0 : undefined}
                  onClick={open}
                  onKeyDown={(e) => {
                    if (open && (e.key === 'Enter' || e.key === ' ')) open();
                  }}
                  style={{ cursor: row ? 'pointer' : 'default' }}
                  opacity={row?.metrics && !row.meets_constraints ? 0.35 : 1}
                >
                  <title>{title}</title>
                  <rect
                    x={cx + 1}
                    y={cy + 1}
                    width={L.cellW - 2}
                    height={L.cellH - 2}
                    rx={2}
                    fill={fill}
                    stroke={row ? 'none' : 'var(--mantine-color-gray-3)'}
                  />
                  {L.showText && (
                    <text
                      x={cx + L.cellW / 2}
                      y={cy + L.cellH / 2}
                      textAnchor="middle"
                      dominantBaseline="middle"
                      fill={colour ? colour.text : 'var(--mantine-color-dimmed)'}
                      fontWeight={isBest ? 700 : 400}
                    >
                      {isBest ? `★ ${mark}` : mark}
                    </text>
                  )}
                </g>
              );
            }),
          )}
          {/* the best cell's outline goes last, so no neighbour paints over it */}
          {bestRow &&
            (() => {
              const i = ys.findIndex((y) => key(y) === key(bestRow.parameters[yPath]));
              const j = xs.findIndex((x) => key(x) === key(bestRow.parameters[xPath]));
              if (i < 0 || j < 0) return null;
              return (
                <rect
                  x={L.left + j * L.cellW + 1}
                  y={L.top + i * L.cellH + 1}
                  width={L.cellW - 2}
                  height={L.cellH - 2}
                  rx={2}
                  fill="none"
                  stroke="var(--mantine-color-red-6)"
                  strokeWidth={3}
                  pointerEvents="none"
                  data-testid="heatmap-best"
                />
              );
            })()}
        </svg>
      </ScrollArea>
      <Group gap="sm" wrap="nowrap" data-testid="heatmap-legend" ml={L.left}>
        <Text size="xs" ff="monospace" data-testid="legend-worst">
          {values.length ? formatMetric(objective, worst) : '—'}
        </Text>
        <Box
          w={220}
          h={12}
          style={{ background: SCALE_GRADIENT, borderRadius: 2 }}
          aria-hidden="true"
        />
        <Text size="xs" ff="monospace" data-testid="legend-best">
          {values.length ? formatMetric(objective, best) : '—'}
        </Text>
        <Text size="xs" c="dimmed">
          {metricLabel(objective)}, worse → better (
          {result.direction === 'min' ? 'lower' : 'higher'} is better) ·{' '}
          <span style={{ color: 'var(--mantine-color-red-6)' }}>★ outlined</span>: the best · grey:
          not run yet
        </Text>
      </Group>
      <Text component="figcaption" size="xs" c="dimmed" ml={L.left}>
        {caption}
      </Text>
    </Stack>
  );
}

function uniq(values: (SweepValue | undefined)[]): SweepValue[] {
  const seen = new Map<string, SweepValue>();
  for (const v of values) if (v !== undefined) seen.set(key(v), v);
  return [...seen.values()];
}
