import type {
  BackendClient,
  BacktestResult,
  DataLoadResult,
  Operation,
  SweepResult,
  TrainingResult,
} from '@ktrdr/shared';
import { fixed, percentOf } from '../output/format.js';
import {
  backtestSummary,
  dataLoadSummary,
  parameterText,
  sweepSummary,
  trainingSummary,
} from './summary.js';

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * How the terminal shows one kind of operation beyond what every kind gets (its label and
 * description come from its job-kind descriptor). A kind without an entry here is shown
 * with the generic progress line and its result summary's pairs.
 */
export interface TerminalKindView {
  /** Its result: fetched once it completed (or however it ended, with `whenEnded`), and summed up. */
  result?: {
    fetch(client: BackendClient, operationId: string): Promise<unknown>;
    whenEnded?: boolean;
    summary(result: unknown, op: Operation): string;
  };
  /** What to run next when it ended without completing (default: resume from a checkpoint if it has one). */
  resumeHint?(op: Operation): string;
  /** The progress line while it runs (default: its `current_step`). */
  progress?(op: Operation): string | undefined;
  /** The note when it starts running (default: the worker it runs on). */
  announce?(op: Operation, attempt: string): string;
}

const VIEWS: Record<string, TerminalKindView> = {
  backtesting: {
    result: {
      fetch: (client, id) => client.getBacktestResult(id),
      summary: (result) => backtestSummary(result as BacktestResult),
    },
  },
  training: {
    result: {
      fetch: (client, id) => client.getTrainingResult(id),
      summary: (result, op) =>
        trainingSummary(
          result as TrainingResult,
          typeof op.metadata.strategy_name === 'string' ? op.metadata.strategy_name : undefined,
        ),
    },
    progress: (op) => {
      const { progress } = op;
      const c = progress.context;
      const epoch = num(c.epoch);
      if (epoch === undefined) return undefined;
      const parts = [`Epoch ${epoch}/${num(c.epochs) ?? progress.steps_total}`];
      if (num(c.batch) !== undefined) parts.push(`batch ${num(c.batch)}/${num(c.batches) ?? '?'}`);
      if (num(c.loss) !== undefined) parts.push(`loss ${fixed(num(c.loss), 4)}`);
      if (num(c.accuracy) !== undefined) parts.push(`acc ${percentOf(num(c.accuracy), 1)}`);
      if (num(c.val_loss) !== undefined) parts.push(`val_loss ${fixed(num(c.val_loss), 4)}`);
      return parts.join(' · ');
    },
  },
  data_load: {
    result: {
      fetch: (client, id) => client.getDataLoadResult(id),
      summary: (result) => dataLoadSummary(result as DataLoadResult),
    },
  },
  sweep: {
    // a sweep's leaderboard holds what did complete, however it ended
    result: {
      fetch: (client, id) => client.getSweepResult(id),
      whenEnded: true,
      summary: (result, op) => sweepSummary(result as SweepResult, op.operation_id),
    },
    resumeHint: (op) => `Run the unfinished sets: ktrdr resume ${op.operation_id} --follow`,
    progress: (op) => {
      const c = op.progress.context;
      const best = (
        c.top as { value?: unknown; parameters?: Record<string, unknown> }[] | undefined
      )?.[0];
      const value = num(best?.value);
      return best?.parameters && value !== undefined
        ? `${op.progress.current_step} · best ${String(c.objective)} ${fixed(value, 3)} at ${parameterText(best.parameters)}`
        : undefined;
    },
    announce: (op, attempt) => {
      const total = typeof op.metadata.total === 'number' ? op.metadata.total : undefined;
      return `running ${total ?? 'its'} parameter sets in shards over the free backtest workers${attempt}`;
    },
  },
};

/** How the terminal shows operations of `type` (an empty view for kinds it has nothing special for). */
export function terminalView(type: string): TerminalKindView {
  return VIEWS[type] ?? {};
}
