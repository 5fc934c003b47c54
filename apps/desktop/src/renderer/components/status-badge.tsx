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
    <Badge
      color={COLORS[status]}
      variant="light"
      data-testid="status"
      data-status={status}
      // a badge may not shrink below its text: a table squeezed to 1024 px cut "completed"
      // to "CO…", so a narrow column wraps its other cells instead
      miw="max-content"
      style={{ flexShrink: 0 }}
    >
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}
