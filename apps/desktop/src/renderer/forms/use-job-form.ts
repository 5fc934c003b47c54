import type { StartResponse, StrategySummary } from '@ktrdr/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState, type ChangeEvent, type Dispatch } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { strategiesQuery } from '../api/queries';
import { fieldErrors, type FieldErrors } from './field-errors';
import { FIELD_LABELS, FIELDS, type DataValues, type FieldName } from './form-model';

/** What an input of one field takes: spread it on a Mantine input (`{...form.field('symbol')}`). */
export interface FieldBinding<V> {
  label: string;
  placeholder: string | undefined;
  description: string | undefined;
  'data-testid': string;
  value: V;
  /** Takes the value (Select, NumberInput) or the change event (TextInput). */
  onChange: (next: V | ChangeEvent<HTMLInputElement>) => void;
  /** The API's message about this field, from the last refused start. */
  error: string | undefined;
}

/** A launch form's state and its start request. */
export interface JobForm<T, B> {
  values: T;
  set: <K extends keyof T>(key: K, value: T[K]) => void;
  update: Dispatch<(values: T) => T>;
  field: <K extends keyof T & FieldName>(key: K) => FieldBinding<T[K]>;
  /** The API's messages from the last refused start. */
  errors: FieldErrors;
  start: (body: B) => void;
  starting: boolean;
  /** Forgets the last refusal. */
  reset: () => void;
}

const isChangeEvent = (v: unknown): v is ChangeEvent<HTMLInputElement> =>
  typeof v === 'object' && v !== null && 'currentTarget' in v;

/**
 * The state of a launch form: its values, a binding per field (label, test id, value and
 * the API's message beside it), and the start request, which opens the operation's page
 * once the backend accepted it.
 */
export function useJobForm<T extends object, B>(options: {
  initial: T | (() => T);
  /** The test ids' prefix (`field`, `sweep`, `download`). */
  testIds: string;
  send: (body: B) => Promise<StartResponse>;
}): JobForm<T, B> {
  const navigate = useNavigate();
  const [values, setValues] = useState<T>(options.initial);
  const set = useCallback(
    <K extends keyof T>(key: K, value: T[K]) => setValues((v) => ({ ...v, [key]: value })),
    [],
  );
  const mutation = useMutation({
    mutationFn: options.send,
    onSuccess: (answer) => void navigate(`/operations/${answer.operation_id}`),
  });
  const errors = fieldErrors(mutation.error, FIELD_LABELS);
  const field = <K extends keyof T & FieldName>(key: K): FieldBinding<T[K]> => {
    const spec: { label: string; testId: string; placeholder?: string; description?: string } =
      FIELDS[key];
    return {
      label: spec.label,
      placeholder: spec.placeholder,
      description: spec.description,
      'data-testid': `${options.testIds}-${spec.testId}`,
      value: values[key],
      onChange: (next) => set(key, isChangeEvent(next) ? (next.currentTarget.value as T[K]) : next),
      error: errors.fields[key],
    };
  };
  return {
    values,
    set,
    update: setValues,
    field,
    errors,
    start: mutation.mutate,
    starting: mutation.isPending,
    reset: mutation.reset,
  };
}

/**
 * The strategies to pick from and the one picked; picking one fills in its own data
 * (symbol, timeframe, dates), which stay editable.
 */
export function usePickedStrategy<T extends DataValues>(
  form: Pick<JobForm<T, unknown>, 'values' | 'update'>,
): { strategies: StrategySummary[]; chosen: StrategySummary | undefined } {
  const client = useClient();
  const { data } = useQuery(strategiesQuery(client));
  const strategies = data?.strategies ?? [];
  const chosen = strategies.find((s) => s.name === form.values.strategy_name);
  const { update } = form;
  useEffect(() => {
    if (!chosen) return;
    update((f) => ({
      ...f,
      symbol: chosen.data.symbol ?? f.symbol,
      timeframe: chosen.data.timeframe ?? f.timeframe,
      start_date: chosen.data.start_date ?? f.start_date,
      end_date: chosen.data.end_date ?? f.end_date,
    }));
  }, [chosen, update]);
  return { strategies, chosen };
}
