import { Group, Progress, Stack, Text } from '@mantine/core';
import type { Operation } from '@ktrdr/shared';
import { duration } from '../format';

/**
 * A running operation's progress bar (role=progressbar with aria-valuenow), its current
 * step and ETA; a queued one's place in the queue.
 */
export function OperationProgress({
  operation,
  compact = false,
}: {
  operation: Operation;
  compact?: boolean;
}) {
  const { status, progress } = operation;
  if (status === 'pending') {
    return (
      <Text size="sm" c="dimmed" data-testid="queue-position">
        {operation.queue_position ? `#${operation.queue_position} in queue` : progress.current_step}
      </Text>
    );
  }
  const value = Math.round(progress.percentage * 10) / 10;
  return (
    <Stack gap={2} style={{ minWidth: compact ? 180 : 280 }}>
      <Progress
        value={value}
        size={compact ? 'md' : 'lg'}
        animated={status === 'running' && !compact}
        color={
          status === 'failed'
            ? 'red'
            : status === 'cancelled'
              ? 'orange'
              : status === 'completed'
                ? 'green'
                : 'blue'
        }
        aria-label={`progress of ${operation.operation_id}`}
        data-testid="progress"
      />
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed" truncate style={{ maxWidth: compact ? 200 : 420 }}>
          {progress.current_step}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {value.toFixed(1)} %
          {status === 'running' && progress.eta_seconds !== null
            ? ` · ETA ${duration(progress.eta_seconds)}`
            : ''}
        </Text>
      </Group>
    </Stack>
  );
}
