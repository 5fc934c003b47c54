import { Stack, Text, Title } from '@mantine/core';
import { builtInJobKinds, type Operation } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useClient } from '../api/client-context';
import { backtestResultQuery } from '../api/queries';

const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : undefined);

/** What ran, as the page's heading and the window's title; the operation id under it. */
function OperationHeading({ title, operationId }: { title: string; operationId: string }) {
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
        {operationId}
      </Text>
    </Stack>
  );
}

/** Any kind: its descriptor's label and line ("Training · neuro_fuzzy_example on SP500 1d"). */
export function OperationTitle({ operation }: { operation: Operation }) {
  return (
    <OperationHeading
      title={`${builtInJobKinds.label(operation.operation_type)} · ${builtInJobKinds.describe(operation)}`}
      operationId={operation.operation_id}
    />
  );
}

/**
 * A backtest: "sma_crossover · SP500 1d · 2000-01-03 → 2020-04-17", the bars it ran on once
 * its result is in (the requested range before).
 */
export function BacktestTitle({ operation }: { operation: Operation }) {
  const client = useClient();
  const result = useQuery({
    ...backtestResultQuery(client, operation.operation_id),
    enabled: operation.status === 'completed',
  });
  const m = operation.metadata;
  const curve = result.data?.equity_curve;
  const from = day(curve?.[0]?.time) ?? day(m.start_date);
  const to = day(curve?.[curve.length - 1]?.time) ?? day(m.end_date);
  const title = [
    m.strategy_name,
    [m.symbol, m.timeframe].filter(Boolean).join(' '),
    from && to ? `${from} → ${to}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  return <OperationHeading title={title} operationId={operation.operation_id} />;
}
