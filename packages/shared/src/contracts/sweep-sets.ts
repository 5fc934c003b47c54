import Type, { type Static } from 'typebox';
import { Nullable } from './schema-helpers.js';

/** The most sets one shard runs (its job and its reports stay well under a megabyte). */
export const MAX_SHARD_SETS = 20_000;
/**
 * Finished sets a shard reports (in `sets` of a progress report), as columns: set
 * `set_index[i]` ended with metric `m` = `metrics[m][i]`. Failed sets are listed apart.
 */
export const SweepSetResultsSchema = Type.Object(
  {
    set_index: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: MAX_SHARD_SETS }),
    metrics: Type.Record(
      Type.String(),
      Type.Array(Nullable(Type.Number()), { maxItems: MAX_SHARD_SETS }),
    ),
    failed: Type.Optional(
      Type.Array(
        Type.Object({
          set_index: Type.Integer({ minimum: 0 }),
          error: Type.String({ maxLength: 2000 }),
        }),
        { maxItems: MAX_SHARD_SETS },
      ),
    ),
  },
  { additionalProperties: false },
);
/** See {@link SweepSetResultsSchema}. */
export type SweepSetResults = Static<typeof SweepSetResultsSchema>;
