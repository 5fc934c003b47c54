import { Alert, Button, Grid, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import {
  DOWNLOAD_MODES,
  INSTRUMENT_TYPES,
  type DataDownloadRequest,
  type InstrumentType,
} from '@ktrdr/shared';
import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useClient } from '../api/client-context';
import { ibContractQuery, ibStatusQuery } from '../api/queries';
import { DateField, TimeframeField } from '../forms/fields';
import { DOWNLOAD_DEFAULTS } from '../forms/form-model';
import { useJobForm } from '../forms/use-job-form';
import { useDebounced } from './use-debounced';

interface DownloadValues {
  symbol: string;
  instrument_type: string | null;
  timeframe: string | null;
  start_date: string;
  end_date: string;
  /** A download mode, or `auto` (none sent). */
  mode: string | null;
}

const MODE_CHOICES = [
  { value: 'auto', label: 'auto (tail if stored, else full)' },
  ...DOWNLOAD_MODES.map((m) => ({ value: m, label: m })),
];

function downloadBody(v: DownloadValues): DataDownloadRequest {
  return {
    symbol: v.symbol.trim(),
    timeframe: (v.timeframe ?? DOWNLOAD_DEFAULTS.timeframe) as DataDownloadRequest['timeframe'],
    start_date: v.start_date.trim(),
    end_date: v.end_date.trim(),
    instrument_type: (v.instrument_type ?? DOWNLOAD_DEFAULTS.instrument_type) as InstrumentType,
    ...(v.mode && v.mode !== 'auto' ? { mode: v.mode as DataDownloadRequest['mode'] } : {}),
  };
}

/**
 * Download bars from Interactive Brokers (through the backend and the IB host service).
 * The symbol is checked against the gateway as you type; the download is an operation
 * like any other, so it opens on its page with its progress bar and Cancel button.
 */
export function DownloadPanel() {
  const client = useClient();
  const ib = useQuery(ibStatusQuery(client));
  const form = useJobForm<DownloadValues, DownloadValues>({
    initial: () => ({ symbol: '', start_date: '', end_date: '', ...DOWNLOAD_DEFAULTS }),
    testIds: 'download',
    send: (v) => client.startDataDownload(downloadBody(v)),
  });
  const { values, errors } = form;
  const typed = useDebounced(values.symbol.trim().toUpperCase(), 400);
  const instrument = (values.instrument_type ??
    DOWNLOAD_DEFAULTS.instrument_type) as InstrumentType;
  const connected = ib.data?.gateway?.connected === true;
  const contract = useQuery({
    ...ibContractQuery(client, typed, instrument),
    enabled: typed.length > 0 && connected,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    form.start(values);
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
              {...form.field('symbol')}
              placeholder="AAPL, EURUSD, ES"
              description={symbolNote}
              error={
                errors.fields.symbol ??
                (contract.error ? contract.error.message.replace(/^symbol: /, '') : undefined)
              }
            />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select {...form.field('instrument_type')} data={[...INSTRUMENT_TYPES]} />
          </Grid.Col>
          <Grid.Col span={4}>
            <TimeframeField {...form.field('timeframe')} />
          </Grid.Col>
          <Grid.Col span={4}>
            <DateField {...form.field('start_date')} />
          </Grid.Col>
          <Grid.Col span={4}>
            <DateField {...form.field('end_date')} placeholder="YYYY-MM-DD (inclusive)" />
          </Grid.Col>
          <Grid.Col span={4}>
            <Select {...form.field('mode')} data={MODE_CHOICES} />
          </Grid.Col>
        </Grid>
        <Button mt="md" type="submit" loading={form.starting} data-testid="download-submit">
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
