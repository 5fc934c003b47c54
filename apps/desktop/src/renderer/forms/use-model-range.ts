import type { ModelSummary } from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useClient } from '../api/client-context';
import { modelsQuery } from '../api/queries';
import type { DataValues, ModelValues } from './form-model';
import type { JobForm } from './use-job-form';

/** A split date as the date field takes it: the day alone for a bar at midnight UTC. */
function dateField(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** What the form says about its range against the picked model's split. */
export function rangeNote(
  model: ModelSummary | undefined,
  values: Pick<DataValues, 'start_date' | 'end_date'>,
): { text: string; outOfSample: boolean } | null {
  if (!model) return null;
  const test = model.split?.test;
  if (!test)
    return {
      text: `${model.model_id} has no stored split dates (trained before they were kept): the range is the strategy's, which may include its training data`,
      outOfSample: false,
    };
  const start = dateField(test.start);
  const end = dateField(test.end);
  if (values.start_date.trim() === start && values.end_date.trim() === end)
    return {
      text: `test split of ${model.model_id}: ${start} → ${end}, not seen in training`,
      outOfSample: true,
    };
  return {
    text: `the range differs from the test split of ${model.model_id} (${start} → ${end}): where it overlaps the training data, the result gives metrics per segment`,
    outOfSample: false,
  };
}

/**
 * A model backtest is out-of-sample by default: picking a model (or the strategy it
 * belongs to, after it) fills the dates with the model's test split, which stay editable;
 * the note says what the range is against the model's data. `setsRange`: whether the
 * picked model's split set the dates (then nothing else may adjust them).
 */
export function useModelTestSplit<T extends DataValues & ModelValues>(
  form: Pick<JobForm<T, unknown>, 'values' | 'update'>,
  enabled: boolean,
  strategyName: string | undefined,
): { note: ReturnType<typeof rangeNote>; setsRange: boolean } {
  const client = useClient();
  const models = useQuery({ ...modelsQuery(client), enabled });
  const model = enabled
    ? models.data?.models.find((m) => m.model_id === form.values.model_id)
    : undefined;
  const test = model?.split?.test;
  const { update } = form;
  // after the strategy's own dates: this runs on the strategy being picked too
  useEffect(() => {
    if (!test) return;
    update((f) => ({ ...f, start_date: dateField(test.start), end_date: dateField(test.end) }));
  }, [test, strategyName, update]);
  return { note: rangeNote(model, form.values), setsRange: test !== undefined };
}
