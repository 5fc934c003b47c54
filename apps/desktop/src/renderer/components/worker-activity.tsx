import { Group, Progress, Text } from '@mantine/core';
import type { ClusterActivity, WorkerActivity } from '@ktrdr/shared';
import { number } from '../format';

/** 0.004 → "0.4 %", 0.37 → "37 %": a tenth of a percent where the figure is small. */
function busyShare(fraction: number): string {
  const pct = fraction * 100;
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)} %`;
}

/** What the window covers, in words: "10 min", or "42 s" for a worker younger than that. */
function windowLabel(seconds: number): string {
  return seconds >= 599
    ? '10 min'
    : seconds >= 60
      ? `${Math.floor(seconds / 60)} min`
      : `${Math.round(seconds)} s`;
}

/** A worker's busy fraction: a bar and its figure in text (the bar alone says nothing to a screen reader). */
export function BusyFraction({
  workerId,
  activity,
}: {
  workerId: string;
  activity?: WorkerActivity;
}) {
  if (!activity) return <Text size="sm">—</Text>;
  const label = `${busyShare(activity.busy_fraction)} busy over the last ${windowLabel(activity.window_seconds)}`;
  return (
    <Group gap="xs" wrap="nowrap" title={label}>
      <Progress
        value={activity.busy_fraction * 100}
        w={80}
        size="md"
        aria-label={`${workerId}: ${label}`}
      />
      <Text size="sm" data-testid="busy-fraction" style={{ whiteSpace: 'nowrap' }}>
        {busyShare(activity.busy_fraction)}
      </Text>
    </Group>
  );
}

/** A worker's completed jobs per minute. */
export function JobsPerMinute({ activity }: { activity?: WorkerActivity }) {
  if (!activity) return <Text size="sm">—</Text>;
  return (
    <Text
      size="sm"
      data-testid="jobs-per-minute"
      aria-label={`${number(activity.completed_per_minute, 1)} jobs completed per minute over the last ${windowLabel(activity.window_seconds)}`}
    >
      {number(activity.completed_per_minute, 1)}
    </Text>
  );
}

/** The cluster's throughput: operations completed on workers, per minute and per second. */
export function ClusterThroughput({ activity }: { activity?: ClusterActivity }) {
  if (!activity) return null;
  return (
    <Text data-testid="cluster-throughput" role="status" aria-live="off">
      Cluster throughput:{' '}
      <b data-testid="cluster-per-minute">{number(activity.completed_per_minute, 1)}</b> operations
      completed per minute (last {windowLabel(activity.window_seconds)}),{' '}
      <b data-testid="cluster-per-second">{number(activity.completed_per_second, 2)}</b> per second
      (last minute)
    </Text>
  );
}
