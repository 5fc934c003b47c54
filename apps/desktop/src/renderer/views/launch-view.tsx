import {
  Alert,
  Button,
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
  TIMEFRAMES,
  type BacktestStartRequest,
  type StartResponse,
  type TrainingStartRequest,
} from '@ktrdr/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useClient } from '../api/client-context';
import { modelsQuery, seriesQuery, strategiesQuery } from '../api/queries';
import { fieldErrors } from '../components/field-errors';
import { SweepForm } from '../components/sweep-form';

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
  epochs: number | string;
  seed: number | string;
}

type Mode = 'backtest' | 'train' | 'sweep';

const TITLES: Record<Mode, string> = {
  backtest: 'Launch a backtest',
  train: 'Train a model',
  sweep: 'Sweep parameters',
};

/**
 * Start a backtest, a training run or a parameter sweep (its own form: {@link SweepForm}).
 * The choices come from the API; the API's own validation messages are shown beside the
 * field they name (no second set of rules in the UI). `?mode=train|sweep`, `?strategy=`
 * and `?model=` preselect (e.g. "backtest this model").
 */
export function LaunchView() {
  const client = useClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [mode, setMode] = useState<Mode>(() => {
    const wanted = params.get('mode');
    return wanted === 'train' || wanted === 'sweep' ? wanted : 'backtest';
  });
  const strategies = useQuery(strategiesQuery(client));
  const series = useQuery(seriesQuery(client));
  const models = useQuery(modelsQuery(client));
  const [form, setForm] = useState<FormState>({
    model_id: params.get('model'),
    epochs: '',
    seed: '',
    strategy_name: params.get('strategy'),
    symbol: null,
    timeframe: null,
    start_date: '',
    end_date: '',
    initial_capital: 100_000,
    commission: 0.001,
    slippage: 0.0005,
  });
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  // picking a strategy fills in its own defaults
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

  const start = useMutation({
    mutationFn: (body: Record<string, unknown>): Promise<StartResponse> =>
      mode === 'train'
        ? client.startTraining(body as unknown as TrainingStartRequest)
        : client.startBacktest(body as unknown as BacktestStartRequest),
    onSuccess: (answer) => void navigate(`/operations/${answer.operation_id}`),
  });
  const errors = fieldErrors(start.error);
  const numberOrText = (v: number | string) =>
    typeof v === 'number' ? v : v === '' ? undefined : Number(v);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const common: Record<string, unknown> = {
      strategy_name: form.strategy_name ?? '',
      ...(form.symbol ? { symbol: form.symbol } : {}),
      ...(form.timeframe ? { timeframe: form.timeframe } : {}),
      ...(form.start_date.trim() ? { start_date: form.start_date.trim() } : {}),
      ...(form.end_date.trim() ? { end_date: form.end_date.trim() } : {}),
    };
    const epochs = numberOrText(form.epochs);
    const seed = numberOrText(form.seed);
    start.mutate(
      mode === 'train'
        ? {
            ...common,
            ...(epochs !== undefined ? { epochs } : {}),
            ...(seed !== undefined ? { seed } : {}),
          }
        : {
            ...common,
            ...(form.model_id ? { model_id: form.model_id } : {}),
            initial_capital: numberOrText(form.initial_capital),
            commission: numberOrText(form.commission),
            slippage: numberOrText(form.slippage),
          },
    );
  };
  const strategyChoices = (strategies.data?.strategies ?? []).filter(
    (s) => mode === 'backtest' || s.type === 'neuro_fuzzy',
  );
  const modelChoices = (models.data?.models ?? [])
    .filter((m) => m.strategy_name === form.strategy_name)
    .map((m) => ({
      value: m.model_id,
      label: `${m.model_id}${typeof m.metrics.test_accuracy === 'number' ? ` · test accuracy ${(m.metrics.test_accuracy * 100).toFixed(1)} %` : ''}`,
    }));

  const symbols = [...new Set(series.data?.series.map((s) => s.symbol) ?? [])];
  const header = (
    <Group justify="space-between">
      <Title order={2}>{TITLES[mode]}</Title>
      <SegmentedControl
        value={mode}
        onChange={(v) => {
          setMode(v);
          start.reset();
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
  return (
    <Stack maw={820}>
      {header}
      <form
        onSubmit={submit}
        noValidate
        aria-label={mode === 'train' ? 'Start training' : 'Start a backtest'}
      >
        <Stack>
          <Select
            label="Strategy"
            placeholder="Pick a strategy"
            data={strategyChoices.map((s) => ({
              value: s.name,
              label: `${s.name} (${s.type})`,
            }))}
            value={form.strategy_name}
            onChange={(v) => set('strategy_name', v)}
            error={errors.fields.strategy_name}
            searchable
            data-testid="field-strategy"
          />
          {chosen && (
            <Text size="sm" c="dimmed">
              {chosen.description}
            </Text>
          )}
          <Grid>
            <Grid.Col span={6}>
              <Select
                label="Symbol"
                data={symbols}
                value={form.symbol}
                onChange={(v) => set('symbol', v)}
                error={errors.fields.symbol}
                searchable
                data-testid="field-symbol"
              />
            </Grid.Col>
            <Grid.Col span={6}>
              <Select
                label="Timeframe"
                data={[...TIMEFRAMES]}
                value={form.timeframe}
                onChange={(v) => set('timeframe', v)}
                error={errors.fields.timeframe}
                data-testid="field-timeframe"
              />
            </Grid.Col>
            <Grid.Col span={6}>
              <TextInput
                label="Start date"
                placeholder="YYYY-MM-DD"
                value={form.start_date}
                onChange={(e) => set('start_date', e.currentTarget.value)}
                error={errors.fields.start_date}
                data-testid="field-start"
              />
            </Grid.Col>
            <Grid.Col span={6}>
              <TextInput
                label="End date"
                placeholder="YYYY-MM-DD"
                value={form.end_date}
                onChange={(e) => set('end_date', e.currentTarget.value)}
                error={errors.fields.end_date}
                data-testid="field-end"
              />
            </Grid.Col>
            {mode === 'backtest' ? (
              <>
                <Grid.Col span={4}>
                  <NumberInput
                    label="Initial capital"
                    value={form.initial_capital}
                    onChange={(v) => set('initial_capital', v)}
                    error={errors.fields.initial_capital}
                    thousandSeparator=","
                    data-testid="field-capital"
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
                    data-testid="field-commission"
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
                    data-testid="field-slippage"
                  />
                </Grid.Col>
              </>
            ) : (
              <>
                <Grid.Col span={6}>
                  <NumberInput
                    label="Epochs"
                    placeholder="the strategy's own"
                    value={form.epochs}
                    onChange={(v) => set('epochs', v)}
                    error={errors.fields.epochs}
                    min={1}
                    data-testid="field-epochs"
                  />
                </Grid.Col>
                <Grid.Col span={6}>
                  <NumberInput
                    label="Seed"
                    placeholder="the strategy's own"
                    value={form.seed}
                    onChange={(v) => set('seed', v)}
                    error={errors.fields.seed}
                    min={0}
                    data-testid="field-seed"
                  />
                </Grid.Col>
              </>
            )}
          </Grid>
          {mode === 'backtest' && chosen?.type === 'neuro_fuzzy' && (
            <Select
              label="Model"
              placeholder={
                modelChoices.length > 0
                  ? 'Pick a trained model'
                  : 'No model of this strategy yet: train one'
              }
              data={modelChoices}
              value={form.model_id}
              onChange={(v) => set('model_id', v)}
              error={errors.fields.model_id}
              data-testid="field-model"
            />
          )}
          {errors.general && (
            <Alert
              color="red"
              title={`The backend refused this ${mode === 'train' ? 'training run' : 'backtest'}`}
              data-testid="form-error"
            >
              {errors.general}
            </Alert>
          )}
          <Button
            type="submit"
            loading={start.isPending}
            aria-label={mode === 'train' ? 'Start training' : 'Start backtest'}
          >
            {mode === 'train' ? 'Start training' : 'Start backtest'}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
