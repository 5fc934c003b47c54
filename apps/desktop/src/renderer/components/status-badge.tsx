import { Badge } from '@mantine/core';
import type { OperationStatus, WorkerStatus } from '@ktrdr/shared';

const COLORS: Record<OperationStatus | WorkerStatus, string> = {
  pending: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'orange',
  available: 'green',
  busy: 'blue',
  temporarily_unavailable: 'orange',
};

/** A status as a coloured badge (the text says it too: colour is never the only cue). */
export function StatusBadge({ status }: { status: OperationStatus | WorkerStatus }) {
  return (
    <Badge color={COLORS[status]} variant="light" data-testid="status" data-status={status}>
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}
