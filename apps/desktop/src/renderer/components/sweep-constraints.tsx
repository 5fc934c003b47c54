import {
  ActionIcon,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { SWEEP_OBJECTIVES, type SweepStartRequest } from '@ktrdr/shared';
import type { Dispatch, SetStateAction } from 'react';
import { numberOrUndefined, type NumberValue } from '../forms/form-model';
import { metricLabel } from './sweep-space';

/** One bound on a metric, as typed. */
export interface ConstraintDraft {
  key: number;
  metric: string | null;
  min: NumberValue;
  max: NumberValue;
}

let nextKey = 1;
/** An empty bound. */
export const newConstraint = (): ConstraintDraft => ({
  key: nextKey++,
  metric: null,
  min: '',
  max: '',
});

/** The bounds as the API takes them (rows without a metric are not sent), or none. */
export function constraintsBody(
  constraints: ConstraintDraft[],
): Pick<SweepStartRequest, 'constraints'> {
  const bounds = constraints
    .filter((c) => c.metric)
    .map((c) => {
      const min = numberOrUndefined(c.min);
      const max = numberOrUndefined(c.max);
      return [
        c.metric as string,
        { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
      ] as const;
    });
  return bounds.length > 0 ? { constraints: Object.fromEntries(bounds) } : {};
}

const METRIC_CHOICES = SWEEP_OBJECTIVES.map((o) => ({ value: o, label: metricLabel(o) }));

/** A sweep's optional constraints: a metric with a minimum, a maximum or both. */
export function SweepConstraints({
  constraints,
  setConstraints,
  error,
}: {
  constraints: ConstraintDraft[];
  setConstraints: Dispatch<SetStateAction<ConstraintDraft[]>>;
  /** The API's message about `constraints`. */
  error: string | undefined;
}) {
  const setConstraint = (key: number, patch: Partial<ConstraintDraft>) =>
    setConstraints((cs) => cs.map((c) => (c.key === key ? { ...c, ...patch } : c)));
  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" mb={constraints.length ? 'xs' : 0}>
        <Stack gap={0}>
          <Title order={5}>Constraints</Title>
          <Text size="xs" c="dimmed">
            optional: results outside these bounds rank after every result inside them
          </Text>
        </Stack>
        <Button
          size="xs"
          variant="light"
          onClick={() => setConstraints((cs) => [...cs, newConstraint()])}
          data-testid="sweep-add-constraint"
        >
          Add a constraint
        </Button>
      </Group>
      <Stack gap="xs">
        {constraints.map((c, i) => (
          <Grid key={c.key} align="flex-end" data-testid={`sweep-constraint-${i}`}>
            <Grid.Col span={5}>
              <Select
                aria-label={`Constraint ${i + 1} metric`}
                placeholder="metric, e.g. total trades"
                data={METRIC_CHOICES}
                value={c.metric}
                onChange={(v) => setConstraint(c.key, { metric: v })}
              />
            </Grid.Col>
            <Grid.Col span={3}>
              <NumberInput
                aria-label={`Constraint ${i + 1} minimum`}
                placeholder="min"
                value={c.min}
                onChange={(v) => setConstraint(c.key, { min: v })}
              />
            </Grid.Col>
            <Grid.Col span={3}>
              <NumberInput
                aria-label={`Constraint ${i + 1} maximum`}
                placeholder="max"
                value={c.max}
                onChange={(v) => setConstraint(c.key, { max: v })}
              />
            </Grid.Col>
            <Grid.Col span={1}>
              <ActionIcon
                variant="subtle"
                color="gray"
                onClick={() => setConstraints((cs) => cs.filter((x) => x.key !== c.key))}
                aria-label={`Remove constraint ${i + 1}`}
              >
                ✕
              </ActionIcon>
            </Grid.Col>
          </Grid>
        ))}
      </Stack>
      {error && (
        <Text c="red" size="sm" mt="xs" role="alert">
          {error}
        </Text>
      )}
    </Card>
  );
}
