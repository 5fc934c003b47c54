import { Table, Text } from '@mantine/core';
import { bestIndices, FIGURE_ROWS, figureValue } from '@ktrdr/shared';
import type { ComparedRun } from './compare-runs';

/** The runs' metrics and benchmark side by side: a row per figure, a column per run, the best marked. */
export function CompareTable({ runs }: { runs: ComparedRun[] }) {
  return (
    <Table striped withTableBorder data-testid="compare-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Metric</Table.Th>
          {runs.map((run) => (
            <Table.Th
              key={run.operation.operation_id}
              style={{ borderTop: `3px solid ${run.colour}` }}
            >
              <Text size="xs" fw={600}>
                {run.title}
              </Text>
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {FIGURE_ROWS.map((row) => {
          const values = runs.map((run) => figureValue(run.result, row));
          const best = new Set(bestIndices(values, row.better));
          return (
            <Table.Tr key={row.key} data-testid="compare-row" data-metric={row.key}>
              <Table.Td>
                <Text size="sm">
                  {row.group === 'benchmark' ? `${row.label} (benchmark)` : row.label}
                  {row.better && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      {row.better === 'higher' ? '↑ higher is better' : '↓ lower is better'}
                    </Text>
                  )}
                </Text>
              </Table.Td>
              {values.map((value, i) => (
                <Table.Td
                  key={runs[i]!.operation.operation_id}
                  data-testid="compare-cell"
                  data-best={best.has(i) ? 'true' : undefined}
                  aria-label={best.has(i) ? `${row.format(value)}, best` : undefined}
                  style={
                    best.has(i)
                      ? { fontWeight: 700, background: 'var(--mantine-color-green-light)' }
                      : undefined
                  }
                >
                  <span data-testid="compare-value">{row.format(value)}</span>
                  {best.has(i) && <span aria-hidden> ★</span>}
                </Table.Td>
              ))}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
