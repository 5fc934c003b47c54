import {
  ActionIcon,
  Autocomplete,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { SweepStartRequest } from '@ktrdr/shared';
import type { Dispatch, SetStateAction } from 'react';
import { dimensionOf, isBlank, type DimensionDraft } from './sweep-space';

/** The most rows a sweep takes (the API's limit). */
const MAX_ROWS = 20;

let nextKey = 1;
/** An empty row. */
export const newDimension = (): DimensionDraft => ({
  key: nextKey++,
  path: '',
  kind: 'list',
  list: '',
  from: '',
  to: '',
  step: '',
});

/** The search space the rows describe (blank rows are not sent). */
export const parametersBody = (rows: DimensionDraft[]): SweepStartRequest['parameters'] =>
  Object.fromEntries(rows.filter((r) => !isBlank(r)).map((r) => [r.path.trim(), dimensionOf(r)]));

/**
 * A sweep's parameters: rows of a strategy path (suggested from the strategy's numeric
 * settings, its current value beside it) and its values, a comma list or from/to/step, each
 * with the number of values it makes.
 */
export function SweepParameters({
  rows,
  setRows,
  sizes,
  known,
  error,
}: {
  rows: DimensionDraft[];
  setRows: Dispatch<SetStateAction<DimensionDraft[]>>;
  /** Each non-blank row's size, in order. */
  sizes: (number | null)[];
  /** The strategy's numeric settings by path. */
  known: Map<string, number>;
  /** The API's message about `parameters`. */
  error: string | undefined;
}) {
  const setRow = (key: number, patch: Partial<DimensionDraft>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const pathChoices = [...known.keys()];
  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Parameters</Title>
        <Button
          size="xs"
          variant="light"
          onClick={() => setRows((rs) => [...rs, newDimension()])}
          disabled={rows.length >= MAX_ROWS}
          data-testid="sweep-add-parameter"
        >
          Add a parameter
        </Button>
      </Group>
      <Stack gap="xs">
        {rows.map((row, i) => {
          const size = sizes[rows.filter((r) => !isBlank(r)).indexOf(row)];
          const current = known.get(row.path.trim());
          return (
            <Grid key={row.key} align="flex-end" data-testid={`sweep-param-${i}`}>
              <Grid.Col span={4}>
                <Autocomplete
                  label={i === 0 ? 'Strategy path' : undefined}
                  aria-label={`Parameter ${i + 1} path`}
                  placeholder="indicators.fast.period"
                  data={pathChoices}
                  value={row.path}
                  onChange={(v) => setRow(row.key, { path: v })}
                  description={
                    i === 0 ? 'a numeric setting of the strategy, by its dotted path' : undefined
                  }
                  rightSection={
                    current !== undefined ? (
                      <Text size="xs" c="dimmed" pr={6}>
                        now {current}
                      </Text>
                    ) : undefined
                  }
                  rightSectionWidth={current !== undefined ? 70 : undefined}
                  data-testid={`sweep-path-${i}`}
                />
              </Grid.Col>
              <Grid.Col span={2}>
                <SegmentedControl
                  fullWidth
                  size="xs"
                  value={row.kind}
                  onChange={(v) => setRow(row.key, { kind: v === 'range' ? 'range' : 'list' })}
                  data={[
                    { value: 'list', label: 'list' },
                    { value: 'range', label: 'range' },
                  ]}
                  aria-label={`Parameter ${i + 1}: a list of values or a range`}
                  data-testid={`sweep-kind-${i}`}
                />
              </Grid.Col>
              <Grid.Col span={5}>
                {row.kind === 'list' ? (
                  <TextInput
                    label={i === 0 ? 'Values' : undefined}
                    aria-label={`Parameter ${i + 1} values`}
                    placeholder="5, 10, 20"
                    value={row.list}
                    onChange={(e) => setRow(row.key, { list: e.currentTarget.value })}
                    data-testid={`sweep-values-${i}`}
                  />
                ) : (
                  <Group gap={6} grow wrap="nowrap">
                    {(['from', 'to', 'step'] as const).map((k) => (
                      <NumberInput
                        key={k}
                        label={i === 0 ? k : undefined}
                        aria-label={`Parameter ${i + 1} ${k}`}
                        placeholder={k}
                        value={row[k]}
                        onChange={(v) => setRow(row.key, { [k]: v })}
                        data-testid={`sweep-${k}-${i}`}
                      />
                    ))}
                  </Group>
                )}
              </Grid.Col>
              <Grid.Col span={1}>
                <Group gap={4} wrap="nowrap" justify="flex-end" h={36}>
                  <Text size="xs" c="dimmed" data-testid={`sweep-size-${i}`}>
                    {size ? `×${size}` : ''}
                  </Text>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                    disabled={rows.length === 1}
                    aria-label={`Remove parameter ${i + 1}`}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              </Grid.Col>
            </Grid>
          );
        })}
      </Stack>
      {error && (
        <Text c="red" size="sm" mt="xs" role="alert" data-testid="sweep-parameters-error">
          {error}
        </Text>
      )}
    </Card>
  );
}
