import type {
  BacktestResult,
  DataLoadResult,
  Operation,
  SweepResult,
  TrainingResult,
} from '@ktrdr/shared';
import type { CommandContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { canAsk, canRedraw } from '../terminal.js';
import { followOperation, type InterruptPolicy } from './follow-operation.js';
import { LineProgressView, RedrawingProgressView } from './progress-view.js';
import {
  backtestSummary,
  dataLoadSummary,
  outcomeLine,
  summaryPairs,
  sweepSummary,
  trainingSummary,
  whatItRuns,
} from './summary.js';

/** The flags that shape following. */
export interface FollowFlags {
  cancelOnInterrupt?: boolean;
}

/** Ctrl-C cancels only when told to, asks when a person can answer, and otherwise detaches. */
export function interruptPolicy(ctx: CommandContext, flags: FollowFlags): InterruptPolicy {
  if (flags.cancelOnInterrupt) return 'cancel';
  return canAsk(ctx.terminal) ? 'ask' : 'detach';
}

/** The exit code an ended operation's status stands for. */
export function exitCodeFor(op: Operation): ExitCodeValue {
  if (op.status === 'completed') return ExitCode.ok;
  if (op.status === 'cancelled') return ExitCode.cancelled;
  return ExitCode.failed;
}

async function resultOf(
  ctx: CommandContext,
  op: Operation,
): Promise<BacktestResult | TrainingResult | DataLoadResult | SweepResult | null> {
  const { client } = ctx.connection();
  // a sweep's leaderboard holds what did complete, however it ended
  if (op.operation_type === 'sweep') return client.getSweepResult(op.operation_id);
  if (op.status !== 'completed') return null;
  if (op.operation_type === 'backtesting') return client.getBacktestResult(op.operation_id);
  if (op.operation_type === 'training') return client.getTrainingResult(op.operation_id);
  if (op.operation_type === 'data_load') return client.getDataLoadResult(op.operation_id);
  return null;
}

/** Prints an ended operation: its outcome, what it ran, and its result or what to do next. */
export async function reportEnded(ctx: CommandContext, op: Operation): Promise<ExitCodeValue> {
  const result = await resultOf(ctx, op);
  ctx.output.result({ operation: op, result }, () => {
    const lines = [outcomeLine(op)];
    const what = whatItRuns(op);
    if (what) lines.push(`  ${what}`);
    if (op.status === 'completed') {
      if (op.operation_type === 'backtesting' && result)
        lines.push(backtestSummary(result as BacktestResult));
      else if (op.operation_type === 'training' && result)
        lines.push(
          trainingSummary(
            result as TrainingResult,
            typeof op.metadata.strategy_name === 'string' ? op.metadata.strategy_name : undefined,
          ),
        );
      else if (op.operation_type === 'data_load' && result)
        lines.push(dataLoadSummary(result as DataLoadResult));
      else if (op.operation_type === 'sweep' && result)
        lines.push(sweepSummary(result as SweepResult, op.operation_id));
      else if (op.result_summary) lines.push(summaryPairs(op.result_summary));
    } else {
      if (op.error_message) lines.push(`  ${op.error_message}`);
      if (op.operation_type === 'sweep') {
        if (result) lines.push(sweepSummary(result as SweepResult, op.operation_id));
        lines.push(`Run the unfinished backtests: ktrdr resume ${op.operation_id} --follow`);
      } else if (op.checkpoint_ref)
        lines.push(
          `Resume from its checkpoint (${op.checkpoint_ref}): ktrdr resume ${op.operation_id} --follow`,
        );
      lines.push(`Run it again from scratch: ktrdr retry ${op.operation_id} --follow`);
    }
    return lines.join('\n');
  });
  return exitCodeFor(op);
}

/**
 * Follows an operation with a live progress bar (redrawn on a terminal, a line per step
 * elsewhere), then prints how it ended. Returns the exit code.
 */
export async function followAndReport(
  ctx: CommandContext,
  operationId: string,
  flags: FollowFlags,
): Promise<ExitCodeValue> {
  const { stderr } = ctx.terminal;
  const view = canRedraw(ctx.terminal)
    ? new RedrawingProgressView(stderr)
    : new LineProgressView(stderr);
  const outcome = await followOperation(operationId, {
    client: ctx.connection().client,
    terminal: ctx.terminal,
    view,
    policy: interruptPolicy(ctx, flags),
  });
  if (outcome.kind === 'ended') return reportEnded(ctx, outcome.operation);
  const op = outcome.operation;
  ctx.output.note(
    `Detached: ${op.operation_id} keeps running (${op.status}, ${op.progress.percentage.toFixed(1)}%).\n` +
      `  watch it again:  ktrdr follow ${op.operation_id}\n` +
      `  stop it:         ktrdr cancel ${op.operation_id}`,
  );
  ctx.output.result({ operation: op, result: null, detached: true }, () => '');
  return ExitCode.detached;
}
