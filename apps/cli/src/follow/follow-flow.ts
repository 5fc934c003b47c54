import type { Operation } from '@ktrdr/shared';
import type { CommandContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { canAsk, canRedraw } from '../terminal.js';
import { followOperation, type InterruptPolicy } from './follow-operation.js';
import { LineProgressView, RedrawingProgressView } from './progress-view.js';
import { terminalView } from './kind-views.js';
import { outcomeLine, summaryPairs, whatItRuns } from './summary.js';

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

async function resultOf(ctx: CommandContext, op: Operation): Promise<unknown> {
  const view = terminalView(op.operation_type).result;
  if (!view || (op.status !== 'completed' && !view.whenEnded)) return null;
  return view.fetch(ctx.connection().client, op.operation_id);
}

/** Prints an ended operation: its outcome, what it ran, and its result or what to do next. */
export async function reportEnded(ctx: CommandContext, op: Operation): Promise<ExitCodeValue> {
  const result = await resultOf(ctx, op);
  ctx.output.result({ operation: op, result }, () => {
    const lines = [outcomeLine(op)];
    const what = whatItRuns(op);
    if (what) lines.push(`  ${what}`);
    const view = terminalView(op.operation_type);
    if (op.status === 'completed') {
      if (view.result && result) lines.push(view.result.summary(result, op));
      else if (op.result_summary) lines.push(summaryPairs(op.result_summary));
    } else {
      if (op.error_message) lines.push(`  ${op.error_message}`);
      if (view.result?.whenEnded && result) lines.push(view.result.summary(result, op));
      if (view.resumeHint) lines.push(view.resumeHint(op));
      else if (op.checkpoint_ref)
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
