import {
  Anchor,
  Badge,
  Button,
  Group,
  Pagination,
  Table,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { PARAM_SORT_PREFIX, type LeaderboardRow, type SweepSetsQuery } from '@ktrdr/shared';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { memo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { sweepSetsQuery } from '../api/queries';
import { shortId } from '../format';
import { StatusBadge } from './status-badge';
import { formatMetric, metricLabel, shortPath, showValue } from './sweep-space';

/** Rows per page (the backend sorts and pages; the CSV has every row). */
export const LEADERBOARD_PAGE = 50;

/** The metrics shown beside the objective. */
export const extraColumns = (objective: string) =>
  ['total_return', 'max_drawdown', 'total_trades'].filter((m) => m !== objective);

type Sort = NonNullable<SweepSetsQuery['sort']>;

/** The leaderboard's order: undefined parts are the API's defaults (rank order). */
export type LeaderboardSort = Pick<SweepSetsQuery, 'sort' | 'order'>;

/** A parameter column sorts by the value of its path (`param:indicators.fast.period`). */
const paramSort = (path: string): Sort => `${PARAM_SORT_PREFIX}${path}`;

/** The direction a column sorts in until clicked again: parameters ascending, metrics best/largest first. */
const firstOrder = (sort: Sort): 'asc' | 'desc' =>
  sort.startsWith(PARAM_SORT_PREFIX) ? 'asc' : 'desc';

/** A set as a full backtest: its link once made, else a button that makes it and opens it. */
function OpenSet({ sweepId, row }: { sweepId: string; row: LeaderboardRow }) {
  const client = useClient();
  const navigate = useNavigate();
  const open = useMutation({
    mutationFn: () => client.openSweepSet(sweepId, row.set_index),
    onSuccess: (started) => void navigate(`/operations/${started.operation_id}`),
  });
  if (row.operation_id)
    return (
      <Anchor component={Link} to={`/operations/${row.operation_id}`} ff="monospace" size="sm">
        {shortId(row.operation_id)}
      </Anchor>
    );
  return (
    <Button
      size="compact-xs"
      variant="light"
      onClick={() => open.mutate()}
      loading={open.isPending}
      disabled={row.status !== 'completed'}
      title={
        open.error?.message ??
        'Run this set as an ordinary backtest: its metrics equal this row, with every bar and trade'
      }
      data-testid="open-set"
    >
      Open
    </Button>
  );
}

const LeaderboardRowView = memo(function LeaderboardRowView({
  sweepId,
  row,
  dimensions,
  objective,
  showWindow,
}: {
  sweepId: string;
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
      data-set-index={row.set_index}
      data-operation-id={row.operation_id ?? ''}
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
          <StatusBadge status={row.status} />
          {outside && (
            <Badge size="xs" color="gray" variant="outline">
              outside constraints
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td ff="monospace" c="dimmed" fz="xs">
        {row.worker_id ?? '—'}
      </Table.Td>
      <Table.Td>
        <OpenSet sweepId={sweepId} row={row} />
      </Table.Td>
    </Table.Tr>
  );
});

/** A header that sorts by its metric (descending first) or parameter (ascending first); again: the other way. */
function SortHeader({
  sort,
  label,
  title,
  current,
  order,
  onSort,
}: {
  sort: Sort;
  label: string;
  title?: string;
  current: Sort | undefined;
  order: 'asc' | 'desc' | undefined;
  onSort: (sort: Sort) => void;
}) {
  const active = current === sort;
  const shown = order ?? firstOrder(sort);
  const mark = active ? (shown === 'asc' ? ' ▲' : ' ▼') : '';
  return (
    <Table.Th
      aria-sort={active ? (shown === 'asc' ? 'ascending' : 'descending') : 'none'}
      title={title}
    >
      <UnstyledButton fw={600} fz="sm" onClick={() => onSort(sort)} data-testid={`sort-${sort}`}>
        {label}
        {mark}
      </UnstyledButton>
    </Table.Th>
  );
}

/**
 * Every set of a sweep, a page at a time from the backend (sorted and paged there, so a
 * 100,000-set sweep reads like a 10-set one): rank order by default, any metric column by
 * a click on its header, the best highlighted, each set openable as a full backtest. The
 * page is fetched again whenever the sweep's results are invalidated (its progress moved).
 */
export function SweepLeaderboard({
  sweepId,
  objective,
  dimensions,
  showWindow,
  sorting,
  onSorting,
}: {
  sweepId: string;
  objective: string;
  dimensions: string[];
  showWindow: boolean;
  /** The order, kept by the owner so that its CSV download follows it. */
  sorting: LeaderboardSort;
  onSorting: (next: LeaderboardSort) => void;
}) {
  const client = useClient();
  const { sort, order } = sorting;
  const [page, setPage] = useState(1);
  const query: SweepSetsQuery = {
    ...(sort ? { sort } : {}),
    ...(order ? { order } : {}),
    limit: LEADERBOARD_PAGE,
    offset: (page - 1) * LEADERBOARD_PAGE,
  };
  const sets = useQuery({
    ...sweepSetsQuery(client, sweepId, query),
    placeholderData: keepPreviousData,
  });
  const onSort = (next: Sort) => {
    if (next === sort)
      onSorting({ sort: next, order: (order ?? firstOrder(next)) === 'asc' ? 'desc' : 'asc' });
    else onSorting({ sort: next });
    setPage(1);
  };
  const extra = extraColumns(objective);
  const total = sets.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / LEADERBOARD_PAGE));
  const header = { current: sort ?? (objective as Sort), order, onSort } as const;
  return (
    <>
      <Table.ScrollContainer minWidth={720} mah={560}>
        <Table
          striped
          highlightOnHover
          stickyHeader
          data-testid="leaderboard"
          data-objective={objective}
          data-total={total}
        >
          <Table.Thead>
            <Table.Tr>
              <SortHeader {...header} sort={objective as Sort} label="Rank" />
              {showWindow && <Table.Th title="walk-forward window">Window</Table.Th>}
              {dimensions.map((d) => (
                <SortHeader
                  key={d}
                  {...header}
                  sort={paramSort(d)}
                  label={shortPath(d)}
                  title={`${d} (sorts by value)`}
                />
              ))}
              <SortHeader {...header} sort={objective as Sort} label={metricLabel(objective)} />
              {extra.map((m) => (
                <SortHeader
                  key={m}
                  {...header}
                  sort={m as Sort}
                  label={m === 'total_trades' ? 'trades' : metricLabel(m)}
                />
              ))}
              <Table.Th>Status</Table.Th>
              <Table.Th>Worker</Table.Th>
              <Table.Th>Backtest</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(sets.data?.rows ?? []).map((row) => (
              <LeaderboardRowView
                key={row.set_index}
                sweepId={sweepId}
                row={row}
                dimensions={dimensions}
                objective={objective}
                showWindow={showWindow}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="xs">
        <Text size="xs" c="dimmed" data-testid="leaderboard-range">
          {total === 0
            ? 'No sets yet'
            : `Sets ${(page - 1) * LEADERBOARD_PAGE + 1}–${Math.min(page * LEADERBOARD_PAGE, total)} of ${total.toLocaleString('en-US')}`}
          {sets.error ? ` · ${sets.error.message}` : ''}
        </Text>
        {pages > 1 && (
          <Pagination
            size="sm"
            total={pages}
            value={page}
            onChange={setPage}
            siblings={1}
            data-testid="leaderboard-pages"
            getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          />
        )}
      </Group>
    </>
  );
}
