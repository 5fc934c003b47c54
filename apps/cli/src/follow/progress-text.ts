import type { Operation } from '@ktrdr/shared';
import { duration, fixed, percentOf } from '../output/format.js';
import { parameterText } from './summary.js';

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** What an operation is doing now, in words: the queue, the epoch and loss, the bar date… */
export function progressText(op: Operation): string {
  if (op.status === 'pending') {
    return op.queue_position ? `queued (position ${op.queue_position})` : 'queued';
  }
  const { progress } = op;
  const c = progress.context;
  const epoch = num(c.epoch);
  if (op.operation_type === 'training' && epoch !== undefined) {
    const parts = [`Epoch ${epoch}/${num(c.epochs) ?? progress.steps_total}`];
    if (num(c.batch) !== undefined) parts.push(`batch ${num(c.batch)}/${num(c.batches) ?? '?'}`);
    if (num(c.loss) !== undefined) parts.push(`loss ${fixed(num(c.loss), 4)}`);
    if (num(c.accuracy) !== undefined) parts.push(`acc ${percentOf(num(c.accuracy), 1)}`);
    if (num(c.val_loss) !== undefined) parts.push(`val_loss ${fixed(num(c.val_loss), 4)}`);
    return parts.join(' · ');
  }
  if (op.operation_type === 'sweep') {
    const best = (
      c.top as { value?: unknown; parameters?: Record<string, unknown> }[] | undefined
    )?.[0];
    const value = num(best?.value);
    if (best?.parameters && value !== undefined)
      return `${progress.current_step} · best ${String(c.objective)} ${fixed(value, 3)} at ${parameterText(best.parameters)}`;
  }
  return progress.current_step;
}

/** `ETA 1 m 05 s`, or '' when unknown. */
export function etaText(op: Operation): string {
  const eta = op.progress.eta_seconds;
  return op.status === 'running' && eta !== null ? `ETA ${duration(eta)}` : '';
}

/** `45.2%`, right-aligned to six characters. */
export function percentText(op: Operation): string {
  return `${op.progress.percentage.toFixed(1)}%`.padStart(6);
}
