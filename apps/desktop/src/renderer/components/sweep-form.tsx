import {
  Alert,
  Button,
  Grid,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import {
  SWEEP_OBJECTIVES,
  type StrategySummary,
  type SweepObjective,
  type SweepStartRequest,
} from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useClient } from '../api/client-context';
import { strategyQuery } from '../api/queries';
import { unshownErrors } from '../forms/field-errors';
import { CostFields, DataFields, ModelField, StrategyField } from '../forms/fields';
import {
  COST_DEFAULTS,
  DATA_DEFAULTS,
  FIELD_LABELS,
  SWEEP_DEFAULTS,
  costBody,
  dataBody,
  modelBody,
  numberOrUndefined,
  takesModel,
  type CostValues,
  type DataValues,
  type ModelValues,
  type NumberValue,
} from '../forms/form-model';
import { useJobForm, usePickedStrategy } from '../forms/use-job-form';
import { constraintsBody, SweepConstraints, type ConstraintDraft } from './sweep-constraints';
import { newDimension, parametersBody, SweepParameters } from './sweep-parameters';
import {
  metricLabel,
  numericPaths,
  smallerIsBetter,
  sweepCount,
  type DimensionDraft,
} from './sweep-space';

interface SweepValues extends DataValues, CostValues, ModelValues {
  mode: 'grid' | 'random';
  samples: NumberValue;
  seed: NumberValue;
  objective: SweepObjective;
}

/** A start: the form as it was when it was sent. */
interface Sweep {
  values: SweepValues;
  chosen: StrategySummary | undefined;
  rows: DimensionDraft[];
  constraints: ConstraintDraft[];
}

/** The fields whose API messages show beside their input. */
const SHOWN_FIELDS = new Set([
  'strategy_name',
  'symbol',
  'timeframe',
  'start_date',
  'end_date',
  'initial_capital',
  'commission',
  'slippage',
  'model_id',
  'parameters',
  'samples',
  'seed',
  'objective',
  'constraints',
]);

const OBJECTIVE_CHOICES = SWEEP_OBJECTIVES.map((o) => ({
  value: o,
  label: `${metricLabel(o)} (${smallerIsBetter(o) ? 'lower' : 'higher'} is better)`,
}));

function sweepBody({ values: v, chosen, rows, constraints }: Sweep): SweepStartRequest {
  const samples = numberOrUndefined(v.samples);
  const seed = numberOrUndefined(v.seed);
  return {
    ...dataBody(v),
    ...modelBody(v, chosen),
    ...costBody(v),
    parameters: parametersBody(rows),
    mode: v.mode,
    ...(v.mode === 'random' && samples !== undefined ? { samples } : {}),
    ...(v.mode === 'random' && seed !== undefined ? { seed } : {}),
    objective: v.objective,
    ...constraintsBody(constraints),
  };
}

/**
 * A parameter sweep: the backtest's fields, then rows of a strategy path (suggested from
 * the strategy's numeric settings) and its values — a comma list or from/to/step — grid or
 * random, the objective that ranks the results and optional constraints. It counts the
 * backtests it will make as you type; the API checks everything else and its messages show
 * beside what they name.
 */
export function SweepForm() {
  const client = useClient();
  const form = useJobForm<SweepValues, Sweep>({
    initial: () => ({
      ...DATA_DEFAULTS,
      ...COST_DEFAULTS,
      model_id: null,
      ...SWEEP_DEFAULTS,
      seed: '',
    }),
    testIds: 'sweep',
    send: (sweep) => client.startSweep(sweepBody(sweep)),
  });
  const { values, set, errors } = form;
  const [rows, setRows] = useState<DimensionDraft[]>(() => [newDimension()]);
  const [constraints, setConstraints] = useState<ConstraintDraft[]>([]);
  const { strategies, chosen } = usePickedStrategy(form);
  const strategyDoc = useQuery({
    ...strategyQuery(client, values.strategy_name ?? ''),
    enabled: Boolean(values.strategy_name),
  });
  const known = numericPaths(strategyDoc.data?.config);

  // a message about a field this form does not show goes in the general alert
  const general = unshownErrors(errors, SHOWN_FIELDS, FIELD_LABELS);
  const count = sweepCount(rows, values.mode, numberOrUndefined(values.samples));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    form.start({ values, chosen, rows, constraints });
  };
  const countText =
    count.runs === null
      ? 'Fill in every parameter row to see how many backtests this makes.'
      : values.mode === 'grid'
        ? `${count.runs.toLocaleString()} backtest${count.runs === 1 ? '' : 's'} (${count.sizes.join(' × ')})`
        : `${count.runs.toLocaleString()} backtest${count.runs === 1 ? '' : 's'}, drawn from ${count.grid?.toLocaleString() ?? '?'} combinations (${count.sizes.join(' × ')})`;

  return (
    <form onSubmit={submit} noValidate aria-label="Start a sweep">
      <Stack>
        <StrategyField {...form.field('strategy_name')} strategies={strategies} chosen={chosen} />
        <Grid>
          <DataFields form={form} span={3} chosen={chosen} />
          <CostFields form={form} />
        </Grid>
        {takesModel(chosen) && (
          <ModelField {...form.field('model_id')} strategyName={values.strategy_name} />
        )}

        <SweepParameters
          rows={rows}
          setRows={setRows}
          sizes={count.sizes}
          known={known}
          error={errors.fields.parameters}
        />

        <Grid>
          <Grid.Col span={4}>
            <Text size="sm" fw={500} mb={4}>
              Mode
            </Text>
            <SegmentedControl
              fullWidth
              value={values.mode}
              onChange={(v) => set('mode', v === 'random' ? 'random' : 'grid')}
              data={[
                { value: 'grid', label: 'Grid: every combination' },
                { value: 'random', label: 'Random' },
              ]}
              aria-label="Sweep mode"
              data-testid="sweep-mode"
            />
          </Grid.Col>
          {values.mode === 'random' && (
            <>
              <Grid.Col span={4}>
                <NumberInput
                  {...form.field('samples')}
                  min={1}
                  allowDecimal={false}
                  clampBehavior="none"
                />
              </Grid.Col>
              <Grid.Col span={4}>
                <NumberInput
                  {...form.field('seed')}
                  description="the same seed draws the same sets"
                  placeholder="1"
                  min={0}
                  allowDecimal={false}
                  clampBehavior="none"
                />
              </Grid.Col>
            </>
          )}
        </Grid>

        <Select
          {...form.field('objective')}
          onChange={(v) => set('objective', v ?? SWEEP_DEFAULTS.objective)}
          data={OBJECTIVE_CHOICES}
          allowDeselect={false}
        />

        <SweepConstraints
          constraints={constraints}
          setConstraints={setConstraints}
          error={errors.fields.constraints}
        />

        <Text
          size="sm"
          fw={500}
          role="status"
          data-testid="sweep-count"
          data-count={count.runs ?? ''}
        >
          {countText}
        </Text>
        {general && (
          <Alert color="red" title="The backend refused this sweep" data-testid="form-error">
            {general}
          </Alert>
        )}
        <Button
          type="submit"
          loading={form.starting}
          aria-label="Start sweep"
          data-testid="sweep-submit"
        >
          {count.runs ? `Start sweep (${count.runs.toLocaleString()} backtests)` : 'Start sweep'}
        </Button>
      </Stack>
    </form>
  );
}
