import {
  Alert,
  Button,
  FileInput,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { TIMEFRAMES, type DataImportQuery, type Timeframe } from '@ktrdr/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { desktopApi } from '../api/connection';
import { useClient } from '../api/client-context';
import { seriesKeys, seriesQuery } from '../api/queries';
import { DownloadPanel } from '../components/download-panel';
import { fieldErrors } from '../forms/field-errors';
import { dateTime } from '../format';

/** Stored series (range, bars, gaps), CSV import (a bad file is refused whole, naming its line), and downloads from IB. */
export function DataView() {
  const client = useClient();
  const queryClient = useQueryClient();
  const { data, error } = useQuery(seriesQuery(client));
  const [symbol, setSymbol] = useState('');
  const [timeframe, setTimeframe] = useState<string | null>('1d');
  const [mode, setMode] = useState<string | null>('merge');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const importCsv = useMutation({
    mutationFn: () =>
      client.importCsv(
        {
          symbol: symbol.trim(),
          timeframe: (timeframe ?? '1d') as Timeframe,
          mode: (mode ?? 'merge') as DataImportQuery['mode'],
        },
        file?.text ?? '',
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: seriesKeys.all }),
  });
  const errors = fieldErrors(importCsv.error);
  const desktop = desktopApi();
  return (
    <Stack>
      <Title order={2}>Data</Title>
      {error && <Text c="red">{error.message}</Text>}
      <Table striped data-testid="series-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Symbol</Table.Th>
            <Table.Th>Timeframe</Table.Th>
            <Table.Th>First bar</Table.Th>
            <Table.Th>Last bar</Table.Th>
            <Table.Th>Bars</Table.Th>
            <Table.Th title="stretches without bars that are not weekends, nights or lone holidays">
              Gaps
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data?.series.map((s) => (
            <Table.Tr key={`${s.symbol}/${s.timeframe}`}>
              <Table.Td>{s.symbol}</Table.Td>
              <Table.Td>{s.timeframe}</Table.Td>
              <Table.Td>{dateTime(s.first_bar)}</Table.Td>
              <Table.Td>{dateTime(s.last_bar)}</Table.Td>
              <Table.Td>{s.bar_count.toLocaleString()}</Table.Td>
              <Table.Td>{s.gaps ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" c="dimmed">
        Coarser timeframes are served by resampling a finer stored series (1h → 4h, 1d).
      </Text>
      <Title order={3}>Import a CSV</Title>
      <Text size="sm" c="dimmed">
        A header row with date or timestamp, open, high, low, close, volume (other columns are
        ignored).
      </Text>
      <Group align="flex-start">
        <TextInput
          label="Symbol"
          value={symbol}
          onChange={(e) => setSymbol(e.currentTarget.value)}
          error={errors.fields.symbol}
          w={160}
        />
        <Select
          label="Timeframe"
          data={[...TIMEFRAMES]}
          value={timeframe}
          onChange={setTimeframe}
          w={120}
        />
        <Select label="Mode" data={['merge', 'replace']} value={mode} onChange={setMode} w={130} />
        {desktop ? (
          <Button
            mt={25}
            variant="default"
            onClick={() => void desktop.chooseCsvFile().then(setFile)}
          >
            {file ? file.name : 'Choose a CSV file'}
          </Button>
        ) : (
          <FileInput
            label="CSV file"
            accept=".csv,text/csv"
            w={260}
            onChange={(f) =>
              void (f ? f.text().then((text) => setFile({ name: f.name, text })) : setFile(null))
            }
          />
        )}
        <Button
          mt={25}
          onClick={() => importCsv.mutate()}
          loading={importCsv.isPending}
          disabled={!file || !symbol.trim()}
        >
          Import
        </Button>
      </Group>
      {(errors.general ?? errors.fields.body) && (
        <Alert color="red" title="Import refused; nothing was changed" data-testid="import-error">
          {errors.fields.body ?? errors.general}
        </Alert>
      )}
      {importCsv.data && (
        <Alert color="green" data-testid="import-result">
          {importCsv.data.symbol} {importCsv.data.timeframe}:{' '}
          {importCsv.data.bars_written.toLocaleString()} rows read,{' '}
          {importCsv.data.bar_count.toLocaleString()} bars stored.
        </Alert>
      )}
      <DownloadPanel />
    </Stack>
  );
}
