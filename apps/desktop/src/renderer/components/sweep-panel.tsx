import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { LeaderboardRow, Operation, OperationStatus } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useState } from 'react';
import { Link } from 'react-router';
import { useClient } from '../api/client-context';
import { sweepResultQuery } from '../api/queries';
import { shortId } from '../format';
import { SWEEP_DEFAULTS } from '../forms/form-model';
import { StatusBadge } from './status-badge';
import { SweepHeatMap } from './sweep-heat-map';
import { formatMetric, metricLabel, shortPath, showValue } from './sweep-space';
import { useThrottledRefresh } from './use-throttled-refresh';
import { WalkForwardCard } from './walk-forward-card';

/** Rows drawn at most (the CSV has them all). */
const SHOWN_ROWS = 300;

const COUNT_ORDER: OperationStatus[] = ['completed', 'running', 'pending', 'failed', 'cancelled'];
const STATUSES = new Set<string>(COUNT_ORDER);

/** The metrics shown beside the objective. */
const extraColumns = (objective: string) =>
  ['total_return', 'total_trades'].filter((m) => m !== objective);

/** Saves text as a file through a Blob (works with the session cookie and with a bearer token). */
function saveText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

const LeaderboardRowView = memo(function LeaderboardRowView({
  row,
  dimensions,
  objective,
  showWindow,
}: {
  row: LeaderboardRow;
  dimensions: string[];
  objective: string;
  showWindow: boolean;
}) {
  const extra = extraColumns(objective);
  const best = row.rank === 1;
  const outside = row.metrics !== null && !row.meets_constraints;
  return (
    <Table.Tr
      data-testid="leaderboard-row"
      data-operation-id={row.operation_id}
      data-rank={row.rank ?? ''}
      data-status={row.status}
      data-best={best ? 'true' : undefined}
      bg={best ? 'var(--mantine-color-green-light)' : undefined}
      c={outside ? 'dimmed' : undefined}
      title={row.error ?? (outside ? 'outside the constraints: ranked after every row inside' : '')}
    >
      <Table.Td fw={best ? 700 : undefined} data-testid="leaderboard-rank">
        <Group gap={6} wrap="nowrap">
          {row.rank ?? '—'}
          {best && (
            <Badge size="xs" color="green" variant="filled">
              best
            </Badge>
          )}
        </Group>
      </Table.Td>
      {showWindow && <Table.Td>{row.window ?? '—'}</Table.Td>}
      {dimensions.map((d) => (
        <Table.Td key={d} ff="monospace" data-param={d}>
          {showValue(row.parameters[d])}
        </Table.Td>
      ))}
      <Table.Td fw={600} ff="monospace" data-testid="leaderboard-objective">
        {formatMetric(objective, row.metrics?.[objective])}
      </Table.Td>
      {extra.map((m) => (
        <Table.Td key={m} ff="monospace" data-metric={m}>
          {formatMetric(m, row.metrics?.[m])}
        </Table.Td>
      ))}
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          {STATUSES.has(row.status) ? (
            <StatusBadge status={row.status as OperationStatus} />
          ) : (
            row.status
          )}
          {outside && (
            <Badge size="xs" color="gray" variant="outline">
              outside constraints
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Anchor component={Link} to={`/operations/${row.operation_id}`} ff="monospace" size="sm">
          {shortId(row.operation_id)}
        </Anchor>
      </Table.Td>
    </Table.Tr>
  );
});

/**
 * A sweep's leaderboard, live: every parameter set with its objective value, ranked as the
 * backend ranks them (rows gain their rank and move as their backtests end), the best one
 * highlighted, each linking to its backtest; the counts; a CSV download; and, when exactly
 * two parameters are swept, a heat map of the objective.
 */
export function SweepPanel({ operation }: { operation: Operation }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const id = operation.operation_id;
  const query = sweepResultQuery(client, id);
  const result = useQuery(query);
  // the sweep's progress moves as each child ends (its status when it ends): fetch the
  // leaderboard again then, at most twice a second
  useThrottledRefresh(
    `${operation.status}|${operation.attempt}|${JSON.stringify(operation.progress)}`,
    () => void queryClient.invalidateQueries({ queryKey: query.queryKey }),
  );
  const csv = useMutation({
    mutationFn: () => client.getSweepCsv(id),
    onSuccess: (text) => saveText(text, `${id}-leaderboard.csv`),
  });
  const r = result.data;
  const objective =
    r?.objective ??
    (typeof operation.metadata.objective === 'string'
      ? operation.metadata.objective
      : SWEEP_DEFAULTS.objective);
  const extra = extraColumns(objective);
  // walk-forward: every window runs the whole search (ranks count within a window), so
  // the heat map shows one window at a time
  const windows = [
    ...new Set(
      (r?.leaderboard ?? []).map((row) => row.window).filter((w) => typeof w === 'number'),
    ),
  ].sort((a, b) => a - b);
  const [pickedWindow, setPickedWindow] = useState<string | null>(null);
  const shownWindow = windows.length > 0 ? Number(pickedWindow ?? windows[0]) : null;
  const mapped =
    r && shownWindow !== null
      ? { ...r, leaderboard: r.leaderboard.filter((row) => row.window === shownWindow) }
      : r;
  return (
    <Stack data-testid="sweep-panel">
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Stack gap={0}>
            <Title order={4}>Leaderboard</Title>
            <Text size="sm" c="dimmed" data-testid="sweep-objective">
              Ranked by {metricLabel(objective)} ({r?.direction === 'min' ? 'lower' : 'higher'} is
              better)
              {r && r.total > 0
                ? ` · ${r.counts.completed ?? 0} of ${r.total} backtests completed${r.counts.cancelled ? `, ${r.counts.cancelled} cancelled` : ''}`
                : ''}
            </Text>
          </Stack>
          <Group gap="xs">
            {r && (
              <Group gap={4} data-testid="sweep-counts">
                {COUNT_ORDER.filter((s) => (r.counts[s] ?? 0) > 0).map((s) => (
                  <Badge key={s} variant="light" color="gray" data-count={s}>
                    {s} {r.counts[s]}
                  </Badge>
                ))}
              </Group>
            )}
            <Button
              size="xs"
              variant="default"
              onClick={() => csv.mutate()}
              loading={csv.isPending}
              data-testid="sweep-csv"
            >
              Download CSV
            </Button>
          </Group>
        </Group>
        {(result.error ?? csv.error) && (
          <Alert color="red" mb="xs">
            {(result.error ?? csv.error)?.message}
          </Alert>
        )}
        {!r ? (
          <Text c="dimmed">Loading the leaderboard…</Text>
        ) : (
          <>
            <Table.ScrollContainer minWidth={640} mah={480}>
              <Table
                striped
                highlightOnHover
                stickyHeader
                data-testid="leaderboard"
                data-objective={objective}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Rank</Table.Th>
                    {windows.length > 0 && <Table.Th title="walk-forward window">Window</Table.Th>}
                    {r.dimensions.map((d) => (
                      <Table.Th key={d} title={d}>
                        {shortPath(d)}
                      </Table.Th>
                    ))}
                    <Table.Th>{metricLabel(objective)}</Table.Th>
                    {extra.map((m) => (
                      <Table.Th key={m}>
                        {m === 'total_trades' ? 'trades' : metricLabel(m)}
                      </Table.Th>
                    ))}
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Backtest</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.leaderboard.slice(0, SHOWN_ROWS).map((row) => (
                    <LeaderboardRowView
                      key={row.operation_id}
                      row={row}
                      dimensions={r.dimensions}
                      objective={objective}
                      showWindow={windows.length > 0}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {r.leaderboard.length > SHOWN_ROWS && (
              <Text size="xs" c="dimmed" mt="xs">
                The best {SHOWN_ROWS} of {r.leaderboard.length} shown; the CSV has every row.
              </Text>
            )}
          </>
        )}
      </Card>
      {mapped && mapped.dimensions.length === 2 && (
        <Card withBorder>
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              {metricLabel(objective)} by {shortPath(mapped.dimensions[0] ?? '')} ×{' '}
              {shortPath(mapped.dimensions[1] ?? '')}
            </Title>
            {windows.length > 0 && (
              <Select
                size="xs"
                w={160}
                aria-label="Walk-forward window"
                data={windows.map((w) => ({ value: String(w), label: `window ${w}` }))}
                value={String(shownWindow)}
                onChange={setPickedWindow}
                allowDeselect={false}
              />
            )}
          </Group>
          <SweepHeatMap result={mapped} />
        </Card>
      )}
      {r?.walk_forward && <WalkForwardCard wf={r.walk_forward} objective={objective} />}
    </Stack>
  );
}
