import {
  ApiError,
  type BackendClient,
  type CancellationToken,
  type DispatchedJobOf,
  type ProgressUpdate,
} from '@ktrdr/shared';
import type { countKind } from './count-kind.js';

/** The part of the worker's job context this handler uses (structurally the worker's own). */
interface CountContext {
  cancel: CancellationToken;
  reportProgress(update: ProgressUpdate): void;
  checkpoint(bytes: Uint8Array, position: string): void;
  loadCheckpoint(): Promise<Uint8Array>;
  backend: BackendClient;
}

/** A series no count job reads: its fetch must be refused. */
const OTHER_SERIES = { symbol: 'NOT_MINE', timeframe: '1h' };

/**
 * The count kind's handler (runs in a worker thread): reads its series with the worker's
 * credential, tries one it does not read, then counts with progress, the cancel flag
 * checked every step, and a checkpoint every `checkpoint_every` steps.
 */
const countHandler = async (job: DispatchedJobOf<typeof countKind>, ctx: CountContext) => {
  const own = await ctx.backend.getSeries(job.symbol, job.timeframe);
  let otherStatus = 200;
  try {
    await ctx.backend.getSeries(OTHER_SERIES.symbol, OTHER_SERIES.timeframe);
  } catch (error) {
    otherStatus = error instanceof ApiError ? error.status : 0;
  }
  const from = job.checkpoint_ref
    ? new DataView((await ctx.loadCheckpoint()).buffer).getUint32(0, true)
    : 0;
  for (let i = from; i < job.n; i++) {
    // sleeps on the cancel flag: a cancel wakes it at once
    if (ctx.cancel.sleep(job.step_ms)) ctx.cancel.throwIfCancelled();
    ctx.reportProgress({
      current_step: `counted ${i + 1} of ${job.n}`,
      items_processed: i + 1,
      items_total: job.n,
    });
    if ((i + 1) % job.checkpoint_every === 0 && i + 1 < job.n) {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, i + 1, true);
      ctx.checkpoint(bytes, String(i + 1));
    }
  }
  return {
    summary: {
      counted: job.n,
      resumed_from: from,
      bars_read: own.bars.time.length,
      other_series_status: otherStatus,
    },
  };
};

export default countHandler;
