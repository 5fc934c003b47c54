import { Alert, Badge, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import type { Operation, OperationStatus } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { operationKeys, sweepHeatmapQuery, sweepResultQuery } from '../api/queries';
import { SWEEP_DEFAULTS } from '../forms/form-model';
import { ShardTimeline } from './shard-timeline';
import { SweepHeatMap } from './sweep-heat-map';
import { SweepLeaderboard, type LeaderboardSort } from './sweep-leaderboard';
import { metricLabel, shortPath } from './sweep-space';
import { useThrottledRefresh } from './use-throttled-refresh';
import { WalkForwardCard } from './walk-forward-card';

const COUNT_ORDER: OperationStatus[] = ['completed', 'running', 'pending', 'failed', 'cancelled'];

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

/**
 * A sweep, live: its counts and speed (sets/s), every parameter set in a server-sorted,
 * paged leaderboard (any metric, the best highlighted, each set openable as a full
 * backtest), a CSV of every set, the shards on a timeline per worker, and, when two or more
 * parameters are swept, a heat map of the objective over the first two (in blocks when the
 * space is large).
 */
export function SweepPanel({ operation }: { operation: Operation }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const id = operation.operation_id;
  const result = useQuery(sweepResultQuery(client, id));
  // the sweep's progress moves with each batch of finished sets: fetch its views again then,
  // at most twice a second
  useThrottledRefresh(
    `${operation.status}|${operation.attempt}|${JSON.stringify(operation.progress)}`,
    () => void queryClient.invalidateQueries({ queryKey: operationKeys.results(id) }),
  );
  // the CSV comes in the leaderboard's order
  const [sorting, setSorting] = useState<LeaderboardSort>({});
  const csv = useMutation({
    mutationFn: () => client.getSweepCsv(id, sorting),
    onSuccess: (text) => saveText(text, `${id}-sets.csv`),
  });
  const r = result.data;
  const objective =
    r?.objective ??
    (typeof operation.metadata.objective === 'string'
      ? operation.metadata.objective
      : SWEEP_DEFAULTS.objective);
  const dimensions = r?.dimensions ?? [];
  // walk-forward: every window runs the whole search (ranks count within a window), so
  // the heat map shows one window at a time
  const windows = r?.walk_forward?.windows.map((w) => w.window) ?? [];
  const [pickedWindow, setPickedWindow] = useState<string | null>(null);
  const shownWindow = windows.length > 0 ? Number(pickedWindow ?? windows[0]) : null;
  const heat = useQuery({
    ...sweepHeatmapQuery(client, id, shownWindow),
    enabled: dimensions.length >= 2,
  });
  const openSet = useMutation({
    mutationFn: (setIndex: number) => client.openSweepSet(id, setIndex),
    onSuccess: (started) => void navigate(`/operations/${started.operation_id}`),
  });
  const ended = (r?.counts.completed ?? 0) + (r?.counts.failed ?? 0);
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
                ? ` · ${ended.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} sets ran${r.counts.cancelled ? `, ${r.counts.cancelled.toLocaleString('en-US')} cancelled` : ''}`
                : ''}
            </Text>
          </Stack>
          <Group gap="xs">
            {r && r.sets_per_second !== null && (
              <Badge variant="light" color="blue" data-testid="sweep-speed">
                {r.sets_per_second.toLocaleString('en-US')} sets/s
              </Badge>
            )}
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
        {(result.error ?? csv.error ?? openSet.error) && (
          <Alert color="red" mb="xs">
            {(result.error ?? csv.error ?? openSet.error)?.message}
          </Alert>
        )}
        {!r ? (
          <Text c="dimmed">Loading the leaderboard…</Text>
        ) : (
          <SweepLeaderboard
            sweepId={id}
            objective={objective}
            dimensions={dimensions}
            showWindow={windows.length > 0}
            sorting={sorting}
            onSorting={setSorting}
          />
        )}
      </Card>
      {r && r.shards.length > 0 && (
        <Card withBorder>
          <Title order={4} mb="xs">
            Shards
          </Title>
          <ShardTimeline shards={r.shards} now={Date.now()} />
        </Card>
      )}
      {r && dimensions.length >= 2 && heat.data && (
        <Card withBorder>
          <Group justify="space-between" mb="xs">
            <Title order={4}>
              {metricLabel(objective)} by {shortPath(dimensions[0] ?? '')} ×{' '}
              {shortPath(dimensions[1] ?? '')}
              {heat.data.aggregated ? ' (best of each block)' : ''}
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
          <SweepHeatMap
            result={{ ...r, leaderboard: heat.data.cells }}
            onOpen={(row) => {
              if (row.operation_id) void navigate(`/operations/${row.operation_id}`);
              else openSet.mutate(row.set_index);
            }}
          />
        </Card>
      )}
      {r?.walk_forward && <WalkForwardCard wf={r.walk_forward} objective={objective} />}
    </Stack>
  );
}
