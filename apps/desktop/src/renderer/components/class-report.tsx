import { Table, Text } from '@mantine/core';
import type { Evaluation } from '@ktrdr/shared';
import { percent } from '../format';

/**
 * "baseline 85.5 % (HOLD)" from a model's headline metrics, or '' for a model stored
 * before the baseline was kept: a test accuracy is read against it.
 */
export function baselineNote(metrics: Record<string, unknown>): string {
  const b = metrics.majority_baseline as { label?: unknown; accuracy?: unknown } | null | undefined;
  if (!b || typeof b.accuracy !== 'number' || typeof b.label !== 'string') return '';
  return `baseline ${percent(b.accuracy, 1)} (${b.label})`;
}

/** The class order of every confusion matrix. */
const LABELS = ['BUY', 'HOLD', 'SELL'] as const;

/**
 * What the test accuracy is worth: the majority-class baseline (always answering the most
 * frequent class) and each class's precision, recall and support (docs/metrics.md).
 */
export function ClassReport({ test }: { test: Evaluation }) {
  const baseline = test.majority_baseline;
  const beaten =
    baseline?.accuracy !== null && baseline?.accuracy !== undefined && test.accuracy !== null
      ? test.accuracy > baseline.accuracy
      : null;
  return (
    <>
      {baseline && (
        <Text size="sm" mt="sm" data-testid="baseline" c={beaten === false ? 'orange' : undefined}>
          Test accuracy {percent(test.accuracy, 1)} against a majority-class baseline of{' '}
          <b>{percent(baseline.accuracy, 1)}</b> (always answering {baseline.label}):{' '}
          {beaten === false ? 'the model does no better than that' : 'the model beats it'}.
        </Text>
      )}
      <Table mt="xs" maw={520} data-testid="per-class" aria-label="Per-class test figures">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>class</Table.Th>
            <Table.Th>precision</Table.Th>
            <Table.Th>recall</Table.Th>
            <Table.Th>support</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {LABELS.map((label) => {
            const f = test.per_class[label];
            return (
              <Table.Tr key={label} data-class={label}>
                <Table.Td fw={600}>{label}</Table.Td>
                <Table.Td>{percent(f?.precision ?? null, 1)}</Table.Td>
                <Table.Td>{percent(f?.recall ?? null, 1)}</Table.Td>
                <Table.Td>{f ? f.support.toLocaleString('en-US') : '—'}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </>
  );
}
