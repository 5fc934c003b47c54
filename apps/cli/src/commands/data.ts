import type { Command } from 'commander';
import {
  DOWNLOAD_MODES,
  INSTRUMENT_TYPES,
  TIMEFRAMES,
  type DataDownloadRequest,
  type SeriesSummary,
} from '@ktrdr/shared';
import { readArgumentFile } from '../input-file.js';
import { integer, timestamp } from '../output/format.js';
import { renderPairs, renderTable } from '../output/table.js';
import { choiceFlag, withExample, type ActionFactory } from '../command-kit.js';
import { followOptions, startedThen } from './launch.js';

const DATA_FIELD_FLAGS = {
  symbol: '--symbol / <symbol>',
  timeframe: '--timeframe',
  start_date: '--start',
  end_date: '--end',
  mode: '--mode',
  instrument_type: '--instrument',
};

/** `ktrdr data list | import | download`. */
export function registerDataCommands(program: Command, action: ActionFactory): void {
  const data = program
    .command('data')
    .description('Stored market data: list, import a CSV, download from IB');

  withExample(
    data
      .command('list')
      .description('Every stored series: symbol, timeframe, bars, first and last bar'),
    'ktrdr data list',
  ).action(
    action(async (ctx) => {
      const list = await ctx.connection().client.listSeries();
      ctx.output.result(list, () =>
        list.series.length === 0
          ? 'No data stored. Import a CSV with `ktrdr data import <file> --symbol X --timeframe 1d`.'
          : renderTable<SeriesSummary>(list.series, [
              { header: 'SYMBOL', value: (s) => s.symbol },
              { header: 'TIMEFRAME', value: (s) => s.timeframe },
              { header: 'BARS', value: (s) => integer(s.bar_count), align: 'right' },
              { header: 'FIRST', value: (s) => timestamp(s.first_bar) },
              { header: 'LAST', value: (s) => timestamp(s.last_bar) },
              {
                header: 'GAPS',
                value: (s) => (s.gaps === undefined ? '—' : String(s.gaps)),
                align: 'right',
              },
            ]),
      );
      return undefined;
    }),
  );

  withExample(
    data
      .command('import')
      .description(
        'Import OHLCV bars from a CSV file (header: date or timestamp, open, high, low, close, volume)',
      )
      .argument('<csv>', 'path of the CSV file')
      .requiredOption('--symbol <symbol>', 'the series to import into')
      .requiredOption(
        '--timeframe <tf>',
        `bar size: ${TIMEFRAMES.join(', ')}`,
        choiceFlag('--timeframe', TIMEFRAMES),
      )
      .option('--replace', 'the file becomes the series (default: merge into what is stored)'),
    'ktrdr data import ./aapl-daily.csv --symbol AAPL --timeframe 1d',
  ).action(
    action<{ symbol: string; timeframe: (typeof TIMEFRAMES)[number]; replace?: boolean }>(
      async (ctx, [file], opts) => {
        const csv = await readArgumentFile('<csv>', file);
        const stored = await ctx.connection().client.importCsv(
          {
            symbol: opts.symbol,
            timeframe: opts.timeframe,
            mode: opts.replace ? 'replace' : 'merge',
          },
          new Uint8Array(csv),
        );
        ctx.output.result(stored, () =>
          [
            `Imported ${integer(stored.bars_written)} bars into ${stored.symbol} ${stored.timeframe} (${stored.mode}).`,
            renderPairs([
              ['bars stored', integer(stored.bar_count)],
              ['first bar', timestamp(stored.first_bar)],
              ['last bar', timestamp(stored.last_bar)],
            ]),
          ].join('\n'),
        );
        return undefined;
      },
      { symbol: '--symbol', timeframe: '--timeframe', mode: '--replace' },
    ),
  );

  withExample(
    followOptions(
      data
        .command('download')
        .description(
          'Download bars from Interactive Brokers through the IB host service (a data_load operation)',
        )
        .argument('<symbol>', 'e.g. AAPL, EURUSD, ES')
        .requiredOption(
          '--timeframe <tf>',
          `bar size: ${TIMEFRAMES.join(', ')}`,
          choiceFlag('--timeframe', TIMEFRAMES),
        )
        .requiredOption('--start <date>', 'first day, YYYY-MM-DD or ISO-8601')
        .requiredOption('--end <date>', 'last day, inclusive')
        .option(
          '--mode <mode>',
          `${DOWNLOAD_MODES.join(', ')} (default: tail when the series exists, else full)`,
          choiceFlag('--mode', DOWNLOAD_MODES),
        )
        .option(
          '--instrument <type>',
          `${INSTRUMENT_TYPES.join(', ')} (default stock)`,
          choiceFlag('--instrument', INSTRUMENT_TYPES),
        ),
    ),
    'ktrdr data download AAPL --timeframe 1h --start 2024-01-01 --end 2024-06-30 --follow',
  ).action(
    action<{
      timeframe: DataDownloadRequest['timeframe'];
      start: string;
      end: string;
      mode?: DataDownloadRequest['mode'];
      instrument?: DataDownloadRequest['instrument_type'];
      follow?: boolean;
      cancelOnInterrupt?: boolean;
    }>(async (ctx, [symbol], opts) => {
      const body: DataDownloadRequest = {
        symbol: symbol ?? '',
        timeframe: opts.timeframe,
        start_date: opts.start,
        end_date: opts.end,
      };
      if (opts.mode) body.mode = opts.mode;
      if (opts.instrument) body.instrument_type = opts.instrument;
      return startedThen(ctx, await ctx.connection().client.startDataDownload(body), opts);
    }, DATA_FIELD_FLAGS),
  );
}
