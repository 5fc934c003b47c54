import {
  ActionIcon,
  Alert,
  Autocomplete,
  Button,
  Card,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import {
  SWEEP_OBJECTIVES,
  TIMEFRAMES,
  type StartResponse,
  type SweepStartRequest,
} from '@ktrdr/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { modelsQuery, seriesQuery, strategiesQuery, strategyQuery } from '../api/queries';
import { fieldErrors } from './field-errors';
import {
  dimensionOf,
  isBlank,
  metricLabel,
  numericPaths,
  smallerIsBetter,
  sweepCount,
  type DimensionDraft,
} from './sweep-space';

interface ConstraintDraft {
  key: number;
  metric: string | null;
  min: number | string;
  max: number | string;
}

interface FormState {
  strategy_name: string | null;
  symbol: string | null;
  timeframe: string | null;
  start_date: string;
  end_date: string;
  initial_capital: number | string;
  commission: number | string;
  slippage: number | string;
  model_id: string | null;
  mode: 'grid' | 'random';
  samples: number | string;
  seed: number | string;
  objective: string;
}

let nextKey = 1;
const newDimension = (): DimensionDraft => ({
  key: nextKey++,
  path: '',
  kind: 'list',
  list: '',
  from: '',
  to: '',
  step: '',
});
const newConstraint = (): ConstraintDraft => ({ key: nextKey++, metric: null, min: '', max: '' });

const numberOrUndefined = (v: number | string) =>
  typeof v === 'number' ? v : v.trim() === '' ? undefined : Number(v);

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

/**
 * A parameter sweep: the backtest's fields, then rows of a strategy path (suggested from
 * the strategy's numeric settings) and its values — a comma list or from/to/step — grid or
 * random, the objective that ranks the results and optional constraints. It counts the
 * backtests it will make as you type; the API checks everything else and its messages show
 * beside what they name.
 */
export function SweepForm() {
  const client = useClient();
  const navigate = useNavigate();
  const strategies = useQuery(strategiesQuery(client));
  const series = useQuery(seriesQuery(client));
  const models = useQuery(modelsQuery(client));
  const [form, setForm] = useState<FormState>({
    strategy_name: null,
    symbol: null,
    timeframe: null,
    start_date: '',
    end_date: '',
    initial_capital: 100_000,
    commission: 0.001,
    slippage: 0.0005,
    model_id: null,
    mode: 'grid',
    samples: 20,
    seed: '',
    objective: 'sharpe_ratio',
  });
  const [rows, setRows] = useState<DimensionDraft[]>(() => [newDimension()]);
  const [constraints, setConstraints] = useState<ConstraintDraft[]>([]);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) =>
    setForm((f) => ({ ...f, [k]: v }));
  const setRow = (key: number, patch: Partial<DimensionDraft>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const setConstraint = (key: number, patch: Partial<ConstraintDraft>) =>
    setConstraints((cs) => cs.map((c) => (c.key === key ? { ...c, ...patch } : c)));

  const chosen = strategies.data?.strategies.find((s) => s.name === form.strategy_name);
  useEffect(() => {
    if (!chosen) return;
    setForm((f) => ({
      ...f,
      symbol: chosen.data.symbol ?? f.symbol,
      timeframe: chosen.data.timeframe ?? f.timeframe,
      start_date: chosen.data.start_date ?? f.start_date,
      end_date: chosen.data.end_date ?? f.end_date,
    }));
  }, [chosen]);
  const strategyDoc = useQuery({
    ...strategyQuery(client, form.strategy_name ?? ''),
    enabled: Boolean(form.strategy_name),
  });
  const known = numericPaths(strategyDoc.data?.config);

  const start = useMutation({
    mutationFn: (body: SweepStartRequest): Promise<StartResponse> => client.startSweep(body),
    onSuccess: (answer) => void navigate(`/operations/${answer.operation_id}`),
  });
  const errors = fieldErrors(start.error);
  // a message about a field this form does not show goes in the general alert
  const elsewhere = Object.entries(errors.fields)
    .filter(([field]) => !SHOWN_FIELDS.has(field))
    .map(([field, message]) => `${field}: ${message}`);
  const general = [errors.general, ...elsewhere].filter(Boolean).join('; ');
  const samples = numberOrUndefined(form.samples);
  const count = sweepCount(rows, form.mode, samples);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const seed = numberOrUndefined(form.seed);
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
    const body: Record<string, unknown> = {
      strategy_name: form.strategy_name ?? '',
      ...(form.symbol ? { symbol: form.symbol } : {}),
      ...(form.timeframe ? { timeframe: form.timeframe } : {}),
      ...(form.start_date.trim() ? { start_date: form.start_date.trim() } : {}),
      ...(form.end_date.trim() ? { end_date: form.end_date.trim() } : {}),
      ...(chosen?.type === 'neuro_fuzzy' && form.model_id ? { model_id: form.model_id } : {}),
      initial_capital: numberOrUndefined(form.initial_capital),
      commission: numberOrUndefined(form.commission),
      slippage: numberOrUndefined(form.slippage),
      parameters: Object.fromEntries(
        rows.filter((r) => !isBlank(r)).map((r) => [r.path.trim(), dimensionOf(r)]),
      ),
      mode: form.mode,
      ...(form.mode === 'random' && samples !== undefined ? { samples } : {}),
      ...(form.mode === 'random' && seed !== undefined ? { seed } : {}),
      objective: form.objective,
      ...(bounds.length > 0 ? { constraints: Object.fromEntries(bounds) } : {}),
    };
    start.mutate(body as unknown as SweepStartRequest);
  };

  const symbols = [...new Set(series.data?.series.map((s) => s.symbol) ?? [])];
  const modelChoices = (models.data?.models ?? [])
    .filter((m) => m.strategy_name === form.strategy_name)
    .map((m) => ({ value: m.model_id, label: m.model_id }));
  const pathChoices = [...known.keys()];
  const countText =
    count.runs === null
      ? 'Fill in every parameter row to see how many backtests this makes.'
      : form.mode === 'grid'
        ? `${count.runs.toLocaleString()} backtest${count.runs === 1 ? '' : 's'} (${count.sizes.join(' × ')})`
        : `${count.runs.toLocaleString()} backtest${count.runs === 1 ? '' : 's'}, drawn from ${count.grid?.toLocaleString() ?? '?'} combinations (${count.sizes.join(' × ')})`;

  return (
    <form onSubmit={submit} noValidate aria-label="Start a sweep">
      <Stack>
        <Select
          label="Strategy"
          placeholder="Pick a strategy"
          data={(strategies.data?.strategies ?? []).map((s) => ({
            value: s.name,
            label: `${s.name} (${s.type})`,
          }))}
          value={form.strategy_name}
          onChange={(v) => set('strategy_name', v)}
          error={errors.fields.strategy_name}
          searchable
          data-testid="sweep-strategy"
        />
        {chosen && (
          <Text size="sm" c="dimmed">
            {chosen.description}
          </Text>
        )}
        <Grid>
          <Grid.Col span={3}>
            <Select
              label="Symbol"
              data={symbols}
              value={form.symbol}
              onChange={(v) => set('symbol', v)}
              error={errors.fields.symbol}
              searchable
              data-testid="sweep-symbol"
            />
          </Grid.Col>
          <Grid.Col span={3}>
            <Select
              label="Timeframe"
              data={[...TIMEFRAMES]}
              value={form.timeframe}
              onChange={(v) => set('timeframe', v)}
              error={errors.fields.timeframe}
              data-testid="sweep-timeframe"
            />
          </Grid.Col>
          <Grid.Col span={3}>
            <TextInput
              label="Start date"
              placeholder="YYYY-MM-DD"
              value={form.start_date}
              onChange={(e) => set('start_date', e.currentTarget.value)}
              error={errors.fields.start_date}
              data-testid="sweep-start"
            />
          </Grid.Col>
          <Grid.Col span={3}>
            <TextInput
              label="End date"
              placeholder="YYYY-MM-DD"
              value={form.end_date}
              onChange={(e) => set('end_date', e.currentTarget.value)}
              error={errors.fields.end_date}
              data-testid="sweep-end"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label="Initial capital"
              value={form.initial_capital}
              onChange={(v) => set('initial_capital', v)}
              error={errors.fields.initial_capital}
              thousandSeparator=","
              data-testid="sweep-capital"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label="Commission (fraction)"
              value={form.commission}
              onChange={(v) => set('commission', v)}
              error={errors.fields.commission}
              decimalScale={6}
              step={0.0005}
              data-testid="sweep-commission"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <NumberInput
              label="Slippage (fraction)"
              value={form.slippage}
              onChange={(v) => set('slippage', v)}
              error={errors.fields.slippage}
              decimalScale={6}
              step={0.0005}
              data-testid="sweep-slippage"
            />
          </Grid.Col>
        </Grid>
        {chosen?.type === 'neuro_fuzzy' && (
          <Select
            label="Model"
            placeholder={modelChoices.length > 0 ? 'Pick a trained model' : 'No model yet'}
            data={modelChoices}
            value={form.model_id}
            onChange={(v) => set('model_id', v)}
            error={errors.fields.model_id}
            data-testid="sweep-model"
          />
        )}

        <Card withBorder padding="sm">
          <Group justify="space-between" mb="xs">
            <Title order={5}>Parameters</Title>
            <Button
              size="xs"
              variant="light"
              onClick={() => setRows((rs) => [...rs, newDimension()])}
              disabled={rows.length >= 20}
              data-testid="sweep-add-parameter"
            >
              Add a parameter
            </Button>
          </Group>
          <Stack gap="xs">
            {rows.map((row, i) => {
              const size = count.sizes[rows.filter((r) => !isBlank(r)).indexOf(row)];
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
                        i === 0
                          ? 'a numeric setting of the strategy, by its dotted path'
                          : undefined
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
          {errors.fields.parameters && (
            <Text c="red" size="sm" mt="xs" role="alert" data-testid="sweep-parameters-error">
              {errors.fields.parameters}
            </Text>
          )}
        </Card>

        <Grid>
          <Grid.Col span={4}>
            <Text size="sm" fw={500} mb={4}>
              Mode
            </Text>
            <SegmentedControl
              fullWidth
              value={form.mode}
              onChange={(v) => set('mode', v === 'random' ? 'random' : 'grid')}
              data={[
                { value: 'grid', label: 'Grid: every combination' },
                { value: 'random', label: 'Random' },
              ]}
              aria-label="Sweep mode"
              data-testid="sweep-mode"
            />
          </Grid.Col>
          {form.mode === 'random' && (
            <>
              <Grid.Col span={4}>
                <NumberInput
                  label="Samples"
                  description="how many distinct combinations to draw"
                  value={form.samples}
                  onChange={(v) => set('samples', v)}
                  error={errors.fields.samples}
                  min={1}
                  allowDecimal={false}
                  data-testid="sweep-samples"
                />
              </Grid.Col>
              <Grid.Col span={4}>
                <NumberInput
                  label="Seed"
                  description="the same seed draws the same sets"
                  placeholder="1"
                  value={form.seed}
                  onChange={(v) => set('seed', v)}
                  error={errors.fields.seed}
                  min={0}
                  allowDecimal={false}
                  data-testid="sweep-seed"
                />
              </Grid.Col>
            </>
          )}
        </Grid>

        <Select
          label="Objective"
          description="what ranks the results"
          data={OBJECTIVE_CHOICES}
          value={form.objective}
          onChange={(v) => set('objective', v ?? 'sharpe_ratio')}
          error={errors.fields.objective}
          allowDeselect={false}
          data-testid="sweep-objective"
        />

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
                    data={SWEEP_OBJECTIVES.map((o) => ({ value: o, label: metricLabel(o) }))}
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
          {errors.fields.constraints && (
            <Text c="red" size="sm" mt="xs" role="alert">
              {errors.fields.constraints}
            </Text>
          )}
        </Card>

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
          loading={start.isPending}
          aria-label="Start sweep"
          data-testid="sweep-submit"
        >
          {count.runs ? `Start sweep (${count.runs.toLocaleString()} backtests)` : 'Start sweep'}
        </Button>
      </Stack>
    </form>
  );
}
