import type { SweepResult } from '@ktrdr/shared';

/** The leaderboard as CSV: rank, each swept path, the objective, the other metrics, status, id. */
export function leaderboardCsv(result: SweepResult): string {
  const metricNames = [
    ...new Set(result.leaderboard.flatMap((row) => Object.keys(row.metrics ?? {}))),
  ].sort((a, b) => (a === result.objective ? -1 : b === result.objective ? 1 : a.localeCompare(b)));
  const cell = (value: string | number | boolean | null | undefined) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = [
    'rank',
    ...result.dimensions,
    ...metricNames,
    'meets_constraints',
    'status',
    'operation_id',
    'error',
  ];
  const lines = result.leaderboard.map((row) =>
    [
      row.rank,
      ...result.dimensions.map((d) => row.parameters[d]),
      ...metricNames.map((m) => row.metrics?.[m]),
      row.meets_constraints,
      row.status,
      row.operation_id,
      row.error,
    ]
      .map(cell)
      .join(','),
  );
  return [header.map(cell).join(','), ...lines].join('\n') + '\n';
}
