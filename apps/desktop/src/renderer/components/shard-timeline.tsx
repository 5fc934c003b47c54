import { Text } from '@mantine/core';
import type { SweepShard } from '@ktrdr/shared';

const LANE = 18;
const LEFT = 140;
const WIDTH = 760;

const COLOURS: Record<string, string> = {
  completed: 'var(--mantine-color-teal-5)',
  running: 'var(--mantine-color-blue-5)',
  failed: 'var(--mantine-color-red-5)',
  cancelled: 'var(--mantine-color-gray-5)',
  pending: 'var(--mantine-color-gray-3)',
};

/**
 * Where a sweep's shards ran: one lane per worker, one bar per shard from its start to its
 * end (or now, while it runs), coloured by status. Shows at a glance whether every worker
 * was kept busy and where the tail was.
 */
export function ShardTimeline({ shards, now }: { shards: SweepShard[]; now: number }) {
  const started = shards.filter((s) => s.started_at && s.worker_id);
  if (started.length === 0) return null;
  const workers = [...new Set(started.map((s) => s.worker_id!))].sort();
  const t0 = Math.min(...started.map((s) => Date.parse(s.started_at!)));
  const end = (s: SweepShard) => (s.completed_at ? Date.parse(s.completed_at) : now);
  const t1 = Math.max(t0 + 1, ...started.map(end));
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - 8);
  const seconds = (t1 - t0) / 1000;
  const sets = started.reduce((n, s) => n + s.sets, 0);
  const label = `Shard timeline: ${started.length} shards (${sets.toLocaleString('en-US')} sets) on ${workers.length} workers over ${seconds.toFixed(1)} s`;
  return (
    <figure aria-label={label} data-testid="shard-timeline" style={{ margin: 0 }}>
      <svg width={WIDTH} height={workers.length * LANE + 24} role="img" aria-label={label}>
        {workers.map((w, i) => (
          <text
            key={w}
            x={LEFT - 6}
            y={i * LANE + 13}
            textAnchor="end"
            fontSize={11}
            fill="var(--mantine-color-dimmed)"
          >
            {w.length > 22 ? `${w.slice(0, 21)}…` : w}
          </text>
        ))}
        {started.map((s) => {
          const lane = workers.indexOf(s.worker_id!);
          const left = x(Date.parse(s.started_at!));
          return (
            <rect
              key={s.operation_id}
              data-testid="shard-bar"
              data-status={s.status}
              x={left}
              y={lane * LANE + 3}
              width={Math.max(2, x(end(s)) - left - 1)}
              height={LANE - 6}
              rx={2}
              fill={COLOURS[s.status] ?? COLOURS.pending}
            >
              <title>{`${s.operation_id}: ${s.sets} sets, ${s.status}`}</title>
            </rect>
          );
        })}
        <text
          x={LEFT}
          y={workers.length * LANE + 18}
          fontSize={11}
          fill="var(--mantine-color-dimmed)"
        >
          0 s
        </text>
        <text
          x={WIDTH - 8}
          y={workers.length * LANE + 18}
          fontSize={11}
          textAnchor="end"
          fill="var(--mantine-color-dimmed)"
        >
          {seconds.toFixed(1)} s
        </text>
      </svg>
      <Text component="figcaption" size="xs" c="dimmed">
        {label}
      </Text>
    </figure>
  );
}
