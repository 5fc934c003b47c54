import { Autocomplete, Grid, NumberInput, Select, Text, Textarea, TextInput } from '@mantine/core';
import { TIMEFRAMES, type StrategySummary } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import type { Dispatch, ReactNode } from 'react';
import { useClient } from '../api/client-context';
import { modelsQuery, seriesQuery } from '../api/queries';
import { baselineNote } from '../components/class-report';
import type { DataValues, NumberValue } from './form-model';
import { storedRangeText } from './stored-range';
import { useStoredRange } from './use-stored-range';
import type { FieldBinding } from './use-job-form';

// The fields the launch forms share, each a Mantine input with its fixed settings; the label,
// test id, value and message come from the form's binding (use-job-form.ts), and a form may
// override a prop after it (`placeholder`).

/** The strategy, labelled with its type, and the picked one's description under it. */
export function StrategyField({
  strategies,
  chosen,
  ...binding
}: FieldBinding<string | null> & {
  strategies: StrategySummary[];
  chosen: StrategySummary | undefined;
}) {
  return (
    <>
      <Select
        {...binding}
        data={strategies.map((s) => ({ value: s.name, label: `${s.name} (${s.type})` }))}
        searchable
      />
      {chosen && (
        <Text size="sm" c="dimmed">
          {chosen.description}
        </Text>
      )}
    </>
  );
}

/**
 * A symbol, typed or picked from the stored series. What is typed is what is sent: a
 * symbol that is not stored is said so at once, never replaced by another one (a Select
 * would fall back to its previous value when Enter finds no match).
 */
export function SymbolField({ value, onChange, error, ...binding }: FieldBinding<string | null>) {
  const client = useClient();
  const series = useQuery(seriesQuery(client));
  const symbols = [...new Set(series.data?.series.map((s) => s.symbol) ?? [])];
  const typed = (value ?? '').trim();
  const unknown =
    typed !== '' && series.data !== undefined && !symbols.includes(typed.toUpperCase());
  return (
    <Autocomplete
      {...binding}
      data={symbols}
      value={value ?? ''}
      onChange={(next) => onChange(next === '' ? null : next)}
      error={
        error ?? (unknown ? `${typed} is not stored: import or download it (Data)` : undefined)
      }
    />
  );
}

/** A bar size. */
export function TimeframeField(binding: FieldBinding<string | null>) {
  return <Select {...binding} data={[...TIMEFRAMES]} />;
}

/** A date typed as YYYY-MM-DD (the API says what it makes of anything else). */
export function DateField(
  binding: Omit<FieldBinding<string>, 'description'> & { description?: ReactNode },
) {
  return <TextInput {...binding} />;
}

/** Strategy overrides, one `path = value` per line (a textarea grows with them). */
export function OverridesField({ onChange, ...binding }: FieldBinding<string>) {
  return (
    <Textarea
      {...binding}
      onChange={(event) => onChange(event.currentTarget.value)}
      autosize
      minRows={1}
      styles={{ input: { fontFamily: 'monospace' } }}
    />
  );
}

/** An amount of money. */
export function MoneyField(binding: FieldBinding<NumberValue>) {
  return <NumberInput {...binding} thousandSeparator="," />;
}

/** A fraction (commission, slippage): small, so six decimals and a small step. */
export function FractionField(binding: FieldBinding<NumberValue>) {
  return <NumberInput {...binding} decimalScale={6} step={0.0005} />;
}

/** A trained model of the picked strategy, with its test accuracy. */
export function ModelField({
  strategyName,
  ...binding
}: FieldBinding<string | null> & { strategyName: string | null }) {
  const client = useClient();
  const models = useQuery(modelsQuery(client));
  const choices = (models.data?.models ?? [])
    .filter((m) => m.strategy_name === strategyName)
    .map((m) => ({
      value: m.model_id,
      label: `${m.model_id}${typeof m.metrics.test_accuracy === 'number' ? ` · test accuracy ${(m.metrics.test_accuracy * 100).toFixed(1)} %` : ''}${baselineNote(m.metrics) ? `, ${baselineNote(m.metrics)}` : ''}`,
    }));
  return (
    <Select
      {...binding}
      placeholder={
        choices.length > 0 ? 'Pick a trained model' : 'No model of this strategy yet: train one'
      }
      data={choices}
    />
  );
}

/** A form whose data fields bind as {@link DataFields} needs them. */
interface DataForm<T extends DataValues> {
  values: T;
  update: Dispatch<(values: T) => T>;
  field(key: 'symbol' | 'timeframe'): FieldBinding<string | null>;
  field(key: 'start_date' | 'end_date'): FieldBinding<string>;
}

/**
 * Symbol, timeframe, start and end date, in grid columns of `span`, with the stored range
 * of the chosen series under them (and the note when the default end was clamped to it;
 * `clampEnd` false when the dates come from elsewhere, see {@link useStoredRange}).
 */
export function DataFields<T extends DataValues>({
  form,
  span,
  chosen,
  clampEnd = true,
}: {
  form: DataForm<T>;
  span: number;
  chosen: StrategySummary | undefined;
  clampEnd?: boolean;
}) {
  const { range, endNote } = useStoredRange(form, chosen, clampEnd);
  const end = form.field('end_date');
  return (
    <>
      <Grid.Col span={span}>
        <SymbolField {...form.field('symbol')} />
      </Grid.Col>
      <Grid.Col span={span}>
        <TimeframeField {...form.field('timeframe')} />
      </Grid.Col>
      <Grid.Col span={span}>
        <DateField {...form.field('start_date')} />
      </Grid.Col>
      <Grid.Col span={span}>
        <DateField
          {...end}
          description={
            endNote ? (
              <span data-testid="end-note" role="status">
                {endNote}
              </span>
            ) : (
              end.description
            )
          }
        />
      </Grid.Col>
      {range && (
        <Grid.Col span={12} pt={0}>
          <Text size="sm" c="dimmed" data-testid="stored-range">
            {storedRangeText(range)}
          </Text>
        </Grid.Col>
      )}
    </>
  );
}

/** A form whose money fields bind as {@link CostFields} needs them. */
interface CostForm {
  field(key: 'initial_capital' | 'commission' | 'slippage'): FieldBinding<NumberValue>;
}

/** Initial capital, commission and slippage, a third of the grid each. */
export function CostFields({ form }: { form: CostForm }) {
  return (
    <>
      <Grid.Col span={4}>
        <MoneyField {...form.field('initial_capital')} />
      </Grid.Col>
      <Grid.Col span={4}>
        <FractionField {...form.field('commission')} />
      </Grid.Col>
      <Grid.Col span={4}>
        <FractionField {...form.field('slippage')} />
      </Grid.Col>
    </>
  );
}
