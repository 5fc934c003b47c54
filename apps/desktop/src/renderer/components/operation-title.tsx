import { Stack, Text, Title } from '@mantine/core';
import { backtestingKind, builtInJobKinds, hasKind, type Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useClient } from '../api/client-context';
import { backtestResultQuery } from '../api/queries';

const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : undefined);

/**
 * What ran, as the page's heading and the window's title: a backtest is
 * "sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17" (the bars it ran on, once its
 * result is in; the requested range before), other kinds their descriptor's line. The
 * operation id stays under it.
 */
export function OperationTitle({ op }: { op: Operation }) {
  const client = useClient();
  const isBacktest = hasKind(op, backtestingKind.operationType);
  const result = useQuery({
    ...backtestResultQuery(client, op.operation_id),
    enabled: isBacktest && op.status === 'completed',
  });
  const m = op.metadata;
  const curve = result.data?.equity_curve;
  const from = day(curve?.[0]?.time) ?? day(m.start_date);
  const to = day(curve?.[curve.length - 1]?.time) ?? day(m.end_date);
  const title = isBacktest
    ? [
        m.strategy_name,
        [m.symbol, m.timeframe].filter(Boolean).join(' '),
        from && to ? `${from} → ${to}` : undefined,
      ]
        .filter(Boolean)
        .join(' · ')
    : `${builtInJobKinds.label(op.operation_type)} · ${builtInJobKinds.describe(op)}`;
  useEffect(() => {
    document.title = `${title} — ktrdr`;
    return () => {
      document.title = 'ktrdr';
    };
  }, [title]);
  return (
    <Stack gap={0}>
      <Title order={2} size="h3" data-testid="operation-title">
        {title}
      </Title>
      <Text size="xs" c="dimmed" ff="monospace">
        {op.operation_id}
      </Text>
    </Stack>
  );
}
