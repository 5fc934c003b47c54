import { Alert, Button, Grid, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import {
  DOWNLOAD_MODES,
  INSTRUMENT_TYPES,
  TIMEFRAMES,
  type DataDownloadRequest,
  type InstrumentType,
} from '@ktrdr/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../api/client-context';
import { ibStatusQuery } from '../api/queries';
import { fieldErrors } from './field-errors';
import { useDebounced } from './use-debounced';

/**
 * Download bars from Interactive Brokers (through the backend and the IB host service).
 * The symbol is checked against the gateway as you type; the download is an operation
 * like any other, so it opens on its page with its progress bar and Cancel button.
 */
export function DownloadPanel() {
  const client = useClient();
  const navigate = useNavigate();
  const ib = useQuery(ibStatusQuery(client));
  const [symbol, setSymbol] = useState('');
  const [instrument, setInstrument] = useState<string | null>('stock');
  const [timeframe, setTimeframe] = useState<string | null>('1h');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [mode, setMode] = useState<string | null>('auto');
  const typed = useDebounced(symbol.trim().toUpperCase(), 400);
  const connected = ib.data?.gateway?.connected === true;
  const contract = useQuery({
    queryKey: ['ib-contract', typed, instrument] as const,
    queryFn: () =>
      client.ibValidate({
        symbol: typed,
        instrument_type: (instrument ?? 'stock') as InstrumentType,
      }),
    enabled: typed.length > 0 && connected,
    retry: false,
    staleTime: 5 * 60_000,
  });
  const download = useMutation({
    mutationFn: (body: DataDownloadRequest) => client.startDataDownload(body),
    onSuccess: (answer) => void navigate(`/operations/${answer.operation_id}`),
  });
  const errors = fieldErrors(download.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    download.mutate({
      symbol: symbol.trim(),
      timeframe: (timeframe ?? '1h') as DataDownloadRequest['timeframe'],
      start_date: start.trim(),
      end_date: end.trim(),
      instrument_type: (instrument ?? 'stock') as InstrumentType,
      ...(mode && mode !== 'auto' ? { mode: mode as DataDownloadRequest['mode'] } : {}),
    });
  };
  const c = contract.data;
  const symbolNote = !typed
    ? undefined
    : contract.isFetching
      ? 'checking with IB…'
      : c
        ? `${c.long_name ?? c.symbol} · ${c.exchange}${c.primary_exchange ? ` (${c.primary_exchange})` : ''} · ${c.currency}${c.time_zone ? ` · ${c.time_zone}` : ''}`
        : undefined;
  return (
    <Stack data-testid="download-panel">
      <Title order={3}>Download from Interactive Brokers</Title>
      {ib.data && !connected && (
        <Alert color="yellow" data-testid="ib-unavailable">
          {ib.data.message}
        </Alert>
      )}
      <form onSubmit={submit} noValidate aria-label="Download from IB">
        <Grid>
          <Grid.Col span={4}>
            <TextInput
              label="Symbol"
              placeholder="AAPL, EURUSD, ES"
              value={symbol}
              onChange={(e) => setSymbol(e.currentTarget.value)}
              description={symbolNote}
              error={
                errors.fields.symbol ??
                (contract.error ? contract.error.message.replace(/^symbol: /, '') : undefined)
              }
              data-testid="download-symbol"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label="Instrument"
              data={[...INSTRUMENT_TYPES]}
              value={instrument}
              onChange={setInstrument}
              data-testid="download-instrument"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label="Timeframe"
              data={[...TIMEFRAMES]}
              value={timeframe}
              onChange={setTimeframe}
              error={errors.fields.timeframe}
              data-testid="download-timeframe"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <TextInput
              label="Start date"
              placeholder="YYYY-MM-DD"
              value={start}
              onChange={(e) => setStart(e.currentTarget.value)}
              error={errors.fields.start_date}
              data-testid="download-start"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <TextInput
              label="End date"
              placeholder="YYYY-MM-DD (inclusive)"
              value={end}
              onChange={(e) => setEnd(e.currentTarget.value)}
              error={errors.fields.end_date}
              data-testid="download-end"
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select
              label="Mode"
              data={[
                { value: 'auto', label: 'auto (tail if stored, else full)' },
                ...DOWNLOAD_MODES.map((m) => ({ value: m, label: m })),
              ]}
              value={mode}
              onChange={setMode}
              error={errors.fields.mode}
              data-testid="download-mode"
            />
          </Grid.Col>
        </Grid>
        <Button mt="md" type="submit" loading={download.isPending} data-testid="download-submit">
          Download
        </Button>
      </form>
      {errors.general && (
        <Alert color="red" title="Download refused" data-testid="download-error">
          {errors.general}
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        Chunks are committed whole: a cancelled or failed download leaves the series unchanged or
        cleanly extended. Tail continues after the last stored bar; backfill fills in before the
        first.
      </Text>
    </Stack>
  );
}
