import type { BacktestStartRequest } from '@ktrdr/shared';
import type { ModelStore } from '../models/model-store.js';

/** A request with its missing dates filled, and what was chosen, said so. */
export interface ModelRange {
  body: BacktestStartRequest;
  /** Absent when the request named both dates (nothing was chosen for it). */
  note?: string;
}

/**
 * A model backtest is out-of-sample by default: a missing start or end date is the
 * model's test split's, the bars it never learnt from. A model trained before its split's
 * dates were kept keeps the strategy's default range, and the note says that this range
 * may hold its training data. An unknown model is left to the model check's 400.
 */
export function modelRange(
  models: Pick<ModelStore, 'featureSpecHash' | 'split'>,
  body: BacktestStartRequest,
): ModelRange {
  if (body.model_id === undefined) return { body };
  if (body.start_date !== undefined && body.end_date !== undefined) return { body };
  if (models.featureSpecHash(body.model_id) === undefined) return { body };
  const test = models.split(body.model_id)?.test;
  if (!test)
    return {
      body,
      note: `model ${body.model_id} has no stored split dates (trained before they were kept): the missing dates are the strategy's default, which may include the data the model was trained on`,
    };
  const filled = {
    ...body,
    start_date: body.start_date ?? test.start,
    end_date: body.end_date ?? test.end,
  };
  const day = (iso: string) => iso.slice(0, 10);
  // only what was chosen is said to be the test split's: a given start may reach back into training
  const note =
    body.start_date === undefined && body.end_date === undefined
      ? `test split of ${body.model_id}: ${day(test.start)} → ${day(test.end)}, not seen in training`
      : body.start_date === undefined
        ? `start_date: the start of the test split of ${body.model_id} (${day(test.start)})`
        : `end_date: the end of the test split of ${body.model_id} (${day(test.end)})`;
  return { body: filled, note };
}
