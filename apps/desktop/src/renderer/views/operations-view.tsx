import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import {
  OPERATION_STATUSES,
  OPERATION_TYPES,
  builtInJobKinds,
  hasKind,
  sweepKind,
  type Operation,
  type OperationListQuery,
} from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { memo, useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { operationsQuery } from '../api/queries';
import { CancelButton } from '../components/cancel-button';
import { COMPARE_MAX, COMPARE_MIN } from '../components/compare-runs';
import { OperationProgress } from '../components/operation-progress';
import { StatusBadge } from '../components/status-badge';
import { shortPath } from '../components/sweep-space';
import { useNow } from '../components/use-now';
import { ago, shortId } from '../format';

function describe(op: Operation): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const m = op.metadata;
  const series = [text(m.symbol), text(m.timeframe)].filter(Boolean).join(' ');
  return [text(m.strategy_name), series].filter(Boolean).join(' · ');
}

/**
 * The second line of a sweep (what it sweeps, how many of its backtests are done) or of one
 * of its backtests (its parameter set, and the sweep it belongs to).
 */
function SweepLine({ op }: { op: Operation }) {
  const m = op.metadata;
  if (hasKind(op, sweepKind.operationType)) {
    const paths = Array.isArray(m.dimensions)
      ? m.dimensions.map(String)
      : Object.keys((m.parameters as Record<string, unknown> | undefined) ?? {});
    const total = op.progress.items_total || (typeof m.total === 'number' ? m.total : 0);
    return (
      <Text size="xs" c="dimmed" data-testid="sweep-summary">
        sweeps {paths.map(shortPath).join(' × ') || '—'}
        {typeof m.mode === 'string' ? ` (${m.mode})` : ''} ·{' '}
        <Text span size="xs" fw={600} c="var(--mantine-color-text)">
          {op.progress.items_processed}/{total}
        </Text>{' '}
        done
        {typeof m.objective === 'string' ? ` · by ${m.objective.replace(/_/g, ' ')}` : ''}
      </Text>
    );
  }
  if (!op.parent_operation_id) return null;
  const set = (m.parameters ?? {}) as Record<string, unknown>;
  return (
    <Text size="xs" c="dimmed" data-testid="sweep-member">
      {Object.entries(set)
        .map(([path, value]) => `${shortPath(path)}=${String(value)}`)
        .join(' ')}{' '}
      · in{' '}
      <Anchor
        component={Link}
        to={`/operations/${op.parent_operation_id}`}
        size="xs"
        ff="monospace"
      >
        {shortId(op.parent_operation_id)}
      </Anchor>
    </Text>
  );
}

/** "attempt 2" when an operation moved on from a lost worker (or was resumed); why, on hover. */
function AttemptBadge({ op }: { op: Operation }) {
  if (op.attempt <= 1) return null;
  const previous = op.attempts.filter((a) => a.attempt < op.attempt);
  const lost = previous.filter((a) => a.outcome?.startsWith('lost: ')).length;
  const why = previous
    .map((a) => `#${a.attempt} on ${a.worker_id}: ${a.outcome ?? '—'}`)
    .join('\n');
  return (
    <Badge
      color={lost > 0 ? 'yellow' : 'gray'}
      variant="outline"
      size="sm"
      title={why}
      data-testid="attempt-badge"
    >
      {lost > 0 ? `failed over · attempt ${op.attempt}` : `attempt ${op.attempt}`}
    </Badge>
  );
}

/**
 * One row. Memoized on the operation object: a progress event replaces only its own
 * operation in the cached list, so with 100 operations streaming, a frame re-renders the
 * rows that changed and nothing else.
 */
const OperationRow = memo(function OperationRow({
  op,
  now,
  selected,
  onSelect,
}: {
  op: Operation;
  now: number;
  selected: boolean;
  onSelect: (id: string, on: boolean) => void;
}) {
  // only a completed backtest has a curve and metrics to compare
  const comparable =
    builtInJobKinds.hasBacktestResult(op.operation_type) && op.status === 'completed';
  return (
    <Table.Tr
      data-testid="operation-row"
      data-operation-id={op.operation_id}
      data-status={op.status}
    >
      <Table.Td>
        {comparable && (
          <Checkbox
            aria-label={`Compare ${op.operation_id}`}
            checked={selected}
            onChange={(e) => onSelect(op.operation_id, e.currentTarget.checked)}
            data-testid="compare-select"
          />
        )}
      </Table.Td>
      <Table.Td>
        <Anchor component={Link} to={`/operations/${op.operation_id}`} ff="monospace" size="sm">
          {shortId(op.operation_id)}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          <Badge
            size="xs"
            variant="light"
            color={builtInJobKinds.runsOnBackend(op.operation_type) ? 'grape' : 'gray'}
            mr={6}
            data-testid="kind-badge"
          >
            {builtInJobKinds.label(op.operation_type)}
          </Badge>
          {describe(op) || builtInJobKinds.describe(op)}
        </Text>
        <SweepLine op={op} />
      </Table.Td>
      <Table.Td>
        {/* as wide as its badges: the table never squeezes a status into an ellipsis */}
        <Group gap={4} wrap="nowrap" w="max-content">
          <StatusBadge status={op.status} />
          <AttemptBadge op={op} />
        </Group>
      </Table.Td>
      <Table.Td>
        <OperationProgress operation={op} compact />
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {op.worker_id ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={op.created_at}>
          {ago(op.created_at, now)}
        </Text>
      </Table.Td>
      <Table.Td>
        <CancelButton operation={op} />
      </Table.Td>
    </Table.Tr>
  );
});

/** Every operation, newest first, live: status, progress, queue place, Cancel. */
export function OperationsView() {
  const client = useClient();
  const [status, setStatus] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  // a sweep's children are listed on its own page, not here
  const filters: OperationListQuery = {
    top_level: true,
    ...(status ? { status: status as OperationListQuery['status'] } : {}),
    ...(type ? { operation_type: type as OperationListQuery['operation_type'] } : {}),
  };
  const { data, error } = useQuery(operationsQuery(client, filters));
  const now = useNow(5000);
  // picked in the order clicked: the comparison's columns and colours follow it
  const [selected, setSelected] = useState<string[]>([]);
  const onSelect = useCallback(
    (id: string, on: boolean) =>
      setSelected((ids) =>
        on ? [...ids.filter((x) => x !== id), id] : ids.filter((x) => x !== id),
      ),
    [],
  );
  const navigate = useNavigate();
  const canCompare = selected.length >= COMPARE_MIN && selected.length <= COMPARE_MAX;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Operations</Title>
        <Group>
          <Button
            variant="light"
            disabled={!canCompare}
            title={
              canCompare
                ? 'Overlay their equity curves and set their metrics side by side'
                : `Tick ${COMPARE_MIN} to ${COMPARE_MAX} completed backtests to compare them`
            }
            onClick={() => void navigate(`/compare?ids=${selected.join(',')}`)}
            data-testid="compare-button"
          >
            Compare ({selected.length})
          </Button>
          <Select
            aria-label="Filter by status"
            placeholder="Any status"
            clearable
            data={[...OPERATION_STATUSES]}
            value={status}
            onChange={setStatus}
            w={160}
          />
          <Select
            aria-label="Filter by type"
            placeholder="Any type"
            clearable
            data={OPERATION_TYPES.map((t) => ({ value: t, label: builtInJobKinds.label(t) }))}
            value={type}
            onChange={setType}
            w={160}
          />
        </Group>
      </Group>
      {error && <Text c="red">{error.message}</Text>}
      <Table striped highlightOnHover data-testid="operations-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th aria-label="Compare" />
            <Table.Th>Operation</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Worker</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.operations.map((op) => (
            <OperationRow
              key={op.operation_id}
              op={op}
              now={now}
              selected={selected.includes(op.operation_id)}
              onSelect={onSelect}
            />
          ))}
        </Table.Tbody>
      </Table>
      {data && data.operations.length === 0 && (
        <Text c="dimmed">No operations yet. Start a backtest from Launch.</Text>
      )}
      {data && data.total_count > data.operations.length && (
        <Text size="sm" c="dimmed">
          Showing the newest {data.operations.length} of {data.total_count}.
        </Text>
      )}
    </Stack>
  );
}
