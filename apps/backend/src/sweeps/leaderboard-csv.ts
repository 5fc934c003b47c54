import type { LeaderboardRow } from '@ktrdr/shared';
import { SWEEP_SET_METRIC_COLUMNS } from '../storage/database.js';

const cell = (value: string | number | boolean | null | undefined) => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The metric columns, the objective first. */
function metricNames(objective: string): string[] {
  return [objective, ...SWEEP_SET_METRIC_COLUMNS.filter((m) => m !== objective)];
}

/**
 * Sets as CSV lines: rank, set index, each swept path, the objective, the other metrics,
 * whether it meets the constraints, status, worker, window, the full backtest's id (once
 * opened), error. `header` adds the header line first.
 */
export function leaderboardCsvLines(
  dimensions: readonly string[],
  objective: string,
  rows: readonly LeaderboardRow[],
  header: boolean,
): string {
  const metrics = metricNames(objective);
  const lines = rows.map((row) =>
    [
      row.rank,
      row.set_index,
      ...dimensions.map((d) => row.parameters[d]),
      ...metrics.map((m) => row.metrics?.[m]),
      row.meets_constraints,
      row.status,
      row.worker_id,
      row.window,
      row.operation_id,
      row.error,
    ]
      .map(cell)
      .join(','),
  );
  if (header)
    lines.unshift(
      [
        'rank',
        'set_index',
        ...dimensions,
        ...metrics,
        'meets_constraints',
        'status',
        'worker_id',
        'window',
        'operation_id',
        'error',
      ]
        .map(cell)
        .join(','),
    );
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
