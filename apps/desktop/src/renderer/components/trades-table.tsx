import { Button, Group, Pagination, Table, Text, UnstyledButton } from '@mantine/core';
import type { Trade } from '@ktrdr/shared';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { number, percent } from '../format';

type Column = {
  key: keyof Trade;
  label: string;
  show: (t: Trade) => string;
  colour?: (t: Trade) => string | undefined;
};

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const sign = (v: number | undefined) => ((v ?? 0) >= 0 ? 'green' : 'red');

const COLUMNS: Column[] = [
  { key: 'side', label: 'Side', show: (t) => t.side },
  { key: 'entry_time', label: 'Entry', show: (t) => time(t.entry_time) },
  { key: 'exit_time', label: 'Exit', show: (t) => time(t.exit_time) },
  { key: 'entry_price', label: 'Entry price', show: (t) => number(t.entry_price) },
  { key: 'exit_price', label: 'Exit price', show: (t) => number(t.exit_price) },
  { key: 'size', label: 'Size', show: (t) => number(t.size, 4) },
  { key: 'pnl', label: 'P&L', show: (t) => number(t.pnl), colour: (t) => sign(t.pnl) },
  { key: 'fees', label: 'Fees', show: (t) => number(t.fees) },
  {
    key: 'return_pct',
    label: 'Return',
    show: (t) => percent(t.return_pct, 2),
    colour: (t) => sign(t.return_pct),
  },
  { key: 'bars_held', label: 'Bars', show: (t) => number(t.bars_held, 0) },
  { key: 'mae', label: 'MAE', show: (t) => percent(t.mae, 2) },
  { key: 'mfe', label: 'MFE', show: (t) => percent(t.mfe, 2) },
  {
    key: 'exit_reason',
    label: 'Exit reason',
    show: (t) => t.exit_reason?.replace(/_/g, ' ') ?? '—',
  },
];

const PAGE = 50;

/** The trades as CSV, every column of the API's trade, in the order shown. */
export function tradesCsv(trades: readonly Trade[]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    const text = String(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const keys = COLUMNS.map((c) => c.key);
  return (
    [keys.join(','), ...trades.map((t) => keys.map((k) => cell(t[k])).join(','))].join('\n') + '\n'
  );
}

function compare(a: Trade, b: Trade, key: keyof Trade): number {
  const x = a[key];
  const y = b[key];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x ?? '').localeCompare(String(y ?? ''));
}

/**
 * Every trade of the run, a page of 50 at a time, sortable by any column (click its
 * header; again for the other way), newest first by default, and downloadable as CSV.
 * With `onSelect`, clicking a row (or Enter on it) selects that trade.
 */
export function TradesTable({
  trades,
  fileName,
  onSelect,
}: {
  trades: readonly Trade[];
  fileName: string;
  onSelect?: (trade: Trade) => void;
}) {
  const [sort, setSort] = useState<{ key: keyof Trade; desc: boolean }>({
    key: 'entry_time',
    desc: true,
  });
  const [page, setPage] = useState(1);
  const sorted = useMemo(() => {
    const rows = [...trades];
    rows.sort((a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key));
    return rows;
  }, [trades, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  const shown = sorted.slice((page - 1) * PAGE, page * PAGE);
  const download = () => {
    const url = URL.createObjectURL(new Blob([tradesCsv(sorted)], { type: 'text/csv' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table striped data-testid="trades-table" data-rows={sorted.length}>
          <Table.Thead>
            <Table.Tr>
              {COLUMNS.map((c) => (
                <Table.Th
                  key={c.key}
                  aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                >
                  <UnstyledButton
                    fw={600}
                    fz="sm"
                    onClick={() => {
                      setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : true }));
                      setPage(1);
                    }}
                  >
                    {c.label}
                    {sort.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
                  </UnstyledButton>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((t, i) => (
              <Table.Tr
                key={`${t.entry_time}-${i}`}
                data-testid="trade-row"
                {...(onSelect
                  ? {
                      onClick: () => onSelect(t),
                      onKeyDown: (e: KeyboardEvent) => e.key === 'Enter' && onSelect(t),
                      tabIndex: 0,
                      style: { cursor: 'pointer' },
                      title: 'Show this trade on the charts',
                    }
                  : {})}
              >
                {COLUMNS.map((c) => (
                  <Table.Td key={c.key} c={c.colour?.(t)}>
                    {c.show(t)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="xs">
        <Text size="xs" c="dimmed" data-testid="trades-range">
          {sorted.length === 0
            ? 'no trades'
            : `${(page - 1) * PAGE + 1}–${Math.min(page * PAGE, sorted.length)} of ${sorted.length}`}
        </Text>
        <Group gap="xs">
          {pages > 1 && (
            <Pagination
              total={pages}
              value={page}
              onChange={setPage}
              size="sm"
              aria-label="Trade pages"
            />
          )}
          <Button size="xs" variant="default" onClick={download} data-testid="trades-csv">
            Download CSV
          </Button>
        </Group>
      </Group>
    </>
  );
}
