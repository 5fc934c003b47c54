import type { Operation } from '@ktrdr/shared';
import { duration } from '../output/format.js';
import { terminalView } from './kind-views.js';

/** What an operation is doing now, in words: the queue, the epoch and loss, the bar date… */
export function progressText(op: Operation): string {
  if (op.status === 'pending') {
    return op.queue_position ? `queued (position ${op.queue_position})` : 'queued';
  }
  return terminalView(op.operation_type).progress?.(op) ?? op.progress.current_step;
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
