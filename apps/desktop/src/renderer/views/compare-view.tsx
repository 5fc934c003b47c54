import { Alert, Anchor, Card, Stack, Text, Title } from '@mantine/core';
import { ApiError } from '@ktrdr/shared';
import { useQueries } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useClient } from '../api/client-context';
import { backtestResultQuery, operationQuery } from '../api/queries';
import { CompareChart } from '../components/compare-chart';
import { comparedRuns, parseCompareIds, runProblem } from '../components/compare-runs';
import { CompareTable } from '../components/compare-table';

/** Why a link cannot be compared, with the way back to the list. */
function Refusal({ problems }: { problems: string[] }) {
  return (
    <Alert color="red" title="These runs cannot be compared" data-testid="compare-problem">
      <Stack gap={4}>
        {problems.map((p) => (
          <Text size="sm" key={p}>
            {p}
          </Text>
        ))}
        <Anchor component={Link} to="/" size="sm">
          Pick 2 to 5 completed backtests in the operations list
        </Anchor>
      </Stack>
    </Alert>
  );
}

/** `/compare?ids=a,b,c`: 2–5 completed backtests, their curves overlaid and metrics side by side. */
export function CompareView() {
  const [search] = useSearchParams();
  const client = useClient();
  const { ids, problem } = parseCompareIds(search.get('ids'));
  const valid = !problem;
  const operations = useQueries({
    queries: ids.map((id) => ({ ...operationQuery(client, id), enabled: valid, retry: false })),
  });
  const problems = operations.flatMap((q, i) => {
    if (q.error)
      return q.error instanceof ApiError && q.error.status === 404
        ? [`Run ${ids[i]} was not found.`]
        : [`Run ${ids[i]}: ${q.error.message}`];
    const why = q.data && runProblem(q.data);
    return why ? [why] : [];
  });
  const ready = valid && problems.length === 0 && operations.every((q) => q.data);
  const results = useQueries({
    queries: ids.map((id) => ({ ...backtestResultQuery(client, id), enabled: ready })),
  });
  const heading = <Title order={2}>Compare runs</Title>;
  if (problem)
    return (
      <Stack>
        {heading}
        <Refusal problems={[problem]} />
      </Stack>
    );
  if (problems.length)
    return (
      <Stack>
        {heading}
        <Refusal problems={problems} />
      </Stack>
    );
  const failed = results.find((q) => q.error);
  if (failed?.error)
    return (
      <Stack>
        {heading}
        <Alert color="red">{failed.error.message}</Alert>
      </Stack>
    );
  if (!ready || results.some((q) => !q.data))
    return (
      <Stack>
        {heading}
        <Text c="dimmed">Loading the runs…</Text>
      </Stack>
    );
  const runs = comparedRuns(
    ids.map((_, i) => ({ operation: operations[i]!.data!, result: results[i]!.data! })),
  );
  return (
    <Stack data-testid="compare-view">
      {heading}
      <Card withBorder>
        <CompareChart runs={runs} />
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">
          Metrics side by side
        </Title>
        <CompareTable runs={runs} />
      </Card>
    </Stack>
  );
}
