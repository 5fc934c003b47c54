import {
  Alert,
  Button,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import {
  ApiError,
  type BackendClient,
  type StartResponse,
  type StrategySummary,
} from '@ktrdr/shared';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useClient } from '../api/client-context';
import { SweepForm } from '../components/sweep-form';
import { unshownErrors } from '../forms/field-errors';
import { CostFields, DataFields, ModelField, OverridesField, StrategyField } from '../forms/fields';
import {
  COST_DEFAULTS,
  DATA_DEFAULTS,
  FIELD_LABELS,
  costBody,
  dataBody,
  modelBody,
  numberOrUndefined,
  parseOverrides,
  takesModel,
  type CostValues,
  type DataValues,
  type ModelValues,
  type NumberValue,
} from '../forms/form-model';
import { useJobForm, usePickedStrategy } from '../forms/use-job-form';
import { useModelTestSplit } from '../forms/use-model-range';

interface LaunchValues extends DataValues, CostValues, ModelValues {
  epochs: NumberValue;
  seed: NumberValue;
  /** Strategy overrides, one `path = value` per line. */
  parameters: string;
}

/**
 * The typed overrides as the request's `parameters`; a line that is not `path = value` is
 * refused here as the API would refuse a bad path, beside the field.
 */
function overridesBody(v: LaunchValues): {
  parameters?: Record<string, number | string | boolean>;
} {
  const parsed = parseOverrides(v.parameters);
  if (parsed.error !== undefined)
    throw new ApiError(
      400,
      'VALIDATION_ERROR',
      `parameters: ${parsed.error}`,
      { issues: [{ path: 'parameters', message: parsed.error }] },
      'the form',
    );
  return Object.keys(parsed.parameters).length > 0 ? { parameters: parsed.parameters } : {};
}

type Mode = 'backtest' | 'train' | 'sweep';

/** A start: the form's values as they were when it was sent. */
interface Launch {
  kind: Exclude<Mode, 'sweep'>;
  values: LaunchValues;
  chosen: StrategySummary | undefined;
}

/** What the backtest and the training form say and send; the two share their values. */
const KINDS: Record<
  Exclude<Mode, 'sweep'>,
  {
    title: string;
    /** The form's and its button's accessible names. */
    form: string;
    submit: string;
    /** "The backend refused this …" */
    refused: string;
    offers: (strategy: StrategySummary) => boolean;
    send: (
      client: BackendClient,
      v: LaunchValues,
      chosen: StrategySummary | undefined,
    ) => Promise<StartResponse>;
  }
> = {
  backtest: {
    title: 'Launch a backtest',
    form: 'Start a backtest',
    submit: 'Start backtest',
    refused: 'backtest',
    offers: () => true,
    send: (client, v, chosen) =>
      client.startBacktest({
        ...dataBody(v),
        ...modelBody(v, chosen),
        ...costBody(v),
        ...overridesBody(v),
      }),
  },
  train: {
    title: 'Train a model',
    form: 'Start training',
    submit: 'Start training',
    refused: 'training run',
    offers: takesModel,
    send: (client, v) => {
      const epochs = numberOrUndefined(v.epochs);
      const seed = numberOrUndefined(v.seed);
      return client.startTraining({
        ...dataBody(v),
        ...overridesBody(v),
        ...(epochs !== undefined ? { epochs } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
    },
  },
};

/** The fields each form shows, so that the API's messages about any other go in its alert. */
const DATA_FIELDS = ['strategy_name', 'symbol', 'timeframe', 'start_date', 'end_date'];
const SHOWN_FIELDS: Record<Exclude<Mode, 'sweep'>, ReadonlySet<string>> = {
  backtest: new Set([...DATA_FIELDS, 'initial_capital', 'commission', 'slippage', 'parameters']),
  train: new Set([...DATA_FIELDS, 'epochs', 'seed', 'parameters']),
};

/**
 * Start a backtest, a training run or a parameter sweep (its own form: {@link SweepForm}).
 * The choices come from the API; the API's own validation messages are shown beside the
 * field they name (no second set of rules in the UI). `?mode=train|sweep`, `?strategy=`
 * and `?model=` preselect (e.g. "backtest this model").
 */
export function LaunchView() {
  const client = useClient();
  const [params] = useSearchParams();
  const [mode, setMode] = useState<Mode>(() => {
    const wanted = params.get('mode');
    return wanted === 'train' || wanted === 'sweep' ? wanted : 'backtest';
  });
  const form = useJobForm<LaunchValues, Launch>({
    initial: () => ({
      ...DATA_DEFAULTS,
      ...COST_DEFAULTS,
      strategy_name: params.get('strategy'),
      model_id: params.get('model'),
      epochs: '',
      seed: '',
      parameters: '',
    }),
    testIds: 'field',
    send: ({ kind, values, chosen }) => KINDS[kind].send(client, values, chosen),
  });
  const { strategies, chosen } = usePickedStrategy(form);
  const { note: rangeNote, setsRange: modelSetsRange } = useModelTestSplit(
    form,
    mode === 'backtest' && takesModel(chosen),
    chosen?.name,
  );

  const header = (
    <Group justify="space-between">
      <Title order={2}>{mode === 'sweep' ? 'Sweep parameters' : KINDS[mode].title}</Title>
      <SegmentedControl
        value={mode}
        onChange={(v) => {
          setMode(v);
          form.reset();
        }}
        data={[
          { value: 'backtest', label: 'Backtest' },
          { value: 'train', label: 'Train' },
          { value: 'sweep', label: 'Sweep' },
        ]}
        data-testid="launch-mode"
      />
    </Group>
  );
  if (mode === 'sweep')
    return (
      <Stack maw={1000}>
        {header}
        <SweepForm />
      </Stack>
    );
  const kind = KINDS[mode];
  const shown = takesModel(chosen) && mode === 'backtest' ? ['model_id'] : [];
  const general = unshownErrors(
    form.errors,
    new Set([...SHOWN_FIELDS[mode], ...shown]),
    FIELD_LABELS,
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    form.start({ kind: mode, values: form.values, chosen });
  };
  return (
    <Stack maw={820}>
      {header}
      <form onSubmit={submit} noValidate aria-label={kind.form}>
        <Stack>
          <StrategyField
            {...form.field('strategy_name')}
            strategies={strategies.filter(kind.offers)}
            chosen={chosen}
          />
          <Grid>
            {/* the picked model's test split wins over the stored-range clamp of the default
                end: the split's dates lie within the stored data, and an end clamped after
                them would leave the test split (and the range note would say so) */}
            <DataFields form={form} span={6} chosen={chosen} clampEnd={!modelSetsRange} />
            {mode === 'backtest' ? (
              <CostFields form={form} />
            ) : (
              <>
                <Grid.Col span={6}>
                  <NumberInput {...form.field('epochs')} min={1} clampBehavior="none" />
                </Grid.Col>
                <Grid.Col span={6}>
                  <NumberInput {...form.field('seed')} min={0} clampBehavior="none" />
                </Grid.Col>
              </>
            )}
          </Grid>
          {mode === 'backtest' && takesModel(chosen) && (
            <ModelField {...form.field('model_id')} strategyName={form.values.strategy_name} />
          )}
          {rangeNote && (
            <Text size="sm" c={rangeNote.outOfSample ? 'teal' : 'orange'} data-testid="range-note">
              {rangeNote.text}
            </Text>
          )}
          <OverridesField
            {...form.field('parameters')}
            placeholder={
              mode === 'train'
                ? 'training.early_stopping.patience = 3'
                : 'indicators.fast.period = 10'
            }
          />
          {general && (
            <Alert
              color="red"
              title={`The backend refused this ${kind.refused}`}
              data-testid="form-error"
            >
              {general}
            </Alert>
          )}
          <Button type="submit" loading={form.starting} aria-label={kind.submit}>
            {kind.submit}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
