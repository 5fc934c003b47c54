import { Box, Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { BacktestResult } from '@ktrdr/shared';
import { percent } from '../format';

type Periods = NonNullable<BacktestResult['periods']>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Green for gains, red for losses, stronger the larger (±10 % a month is full strength). */
function tint(value: number, full: number): string {
  const strength = Math.min(1, Math.abs(value) / full);
  const alpha = (0.12 + 0.68 * strength).toFixed(2);
  return value >= 0 ? `rgba(47, 158, 68, ${alpha})` : `rgba(224, 49, 49, ${alpha})`;
}

/**
 * The run's monthly returns as a heat map (a row per year, a column per month) and its
 * yearly returns as bars, each a figure whose label says what it shows and its range.
 */
export function PeriodReturns({ periods, title }: { periods: Periods; title: string }) {
  const { monthly, yearly } = periods;
  if (monthly.length === 0) return null;
  const years = yearly.map((y) => y.year);
  const byMonth = new Map(monthly.map((m) => [`${m.year}-${m.month}`, m.return]));
  const first = monthly[0]!;
  const last = monthly[monthly.length - 1]!;
  const range = `${first.year}-${String(first.month).padStart(2, '0')} → ${last.year}-${String(last.month).padStart(2, '0')}`;
  const heatLabel = `Monthly returns ${title}, ${range}, ${monthly.length} months`;
  const barsLabel = `Yearly returns ${title}, ${years[0]} → ${years[years.length - 1]}, ${yearly.length} years`;
  const widest = Math.max(...yearly.map((y) => Math.abs(y.return)), 1e-9);
  return (
    <SimpleGrid cols={{ base: 1, lg: 3 }}>
      <Card withBorder style={{ gridColumn: 'span 2' }}>
        <figure aria-label={heatLabel} data-testid="monthly-returns" style={{ margin: 0 }}>
          <Title order={4} mb="xs">
            Monthly returns (%)
          </Title>
          <Table.ScrollContainer minWidth={620}>
            <Table withColumnBorders fz="xs" ta="right" style={{ whiteSpace: 'nowrap' }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Year</Table.Th>
                  {MONTHS.map((m) => (
                    <Table.Th key={m}>{m}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {years.map((year) => (
                  <Table.Tr key={year}>
                    <Table.Td fw={600}>{year}</Table.Td>
                    {MONTHS.map((m, i) => {
                      const value = byMonth.get(`${year}-${i + 1}`);
                      return (
                        <Table.Td
                          key={m}
                          style={value === undefined ? undefined : { background: tint(value, 0.1) }}
                          title={
                            value === undefined ? undefined : `${m} ${year}: ${percent(value)}`
                          }
                        >
                          {value === undefined ? '' : (value * 100).toFixed(1)}
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text component="figcaption" size="xs" c="dimmed">
            {heatLabel}
          </Text>
        </figure>
      </Card>
      <Card withBorder>
        <figure aria-label={barsLabel} data-testid="yearly-returns" style={{ margin: 0 }}>
          <Title order={4} mb="xs">
            Yearly returns
          </Title>
          {yearly.map((y) => (
            <Group key={y.year} gap="xs" wrap="nowrap" mb={2}>
              <Text size="xs" w={40}>
                {y.year}
              </Text>
              <Box
                h={12}
                w={`${Math.max(1, (Math.abs(y.return) / widest) * 60)}%`}
                bg={y.return >= 0 ? 'green.6' : 'red.6'}
                aria-hidden
              />
              <Text size="xs" c={y.return >= 0 ? 'green.8' : 'red.8'}>
                {percent(y.return, 1)}
              </Text>
            </Group>
          ))}
          <Text component="figcaption" size="xs" c="dimmed">
            {barsLabel}
          </Text>
        </figure>
      </Card>
    </SimpleGrid>
  );
}
