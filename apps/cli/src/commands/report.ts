import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { backtestReportHtml, loadBacktestReport, ReportRefusal } from '@ktrdr/shared';
import { withExample, type ActionFactory } from '../command-kit.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** The CLI's answer for a refused report: a wrong kind is bad usage, an unfinished run a conflict. */
function refusal(error: ReportRefusal): CliError {
  return error.reason === 'not_backtest'
    ? new CliError(error.message, ExitCode.usage, 'NOT_A_BACKTEST')
    : new CliError(error.message, ExitCode.failed, 'NOT_COMPLETED');
}

/** `ktrdr report <id> [-o file.html]`: the self-contained HTML report of a backtest. */
export function registerReportCommand(program: Command, action: ActionFactory): void {
  withExample(
    program
      .command('report')
      .description(
        'A self-contained HTML report of a completed backtest (metrics, charts, every trade); it opens offline',
      )
      .argument('<id>', 'a completed backtest operation id')
      .option('-o, --output <file>', 'where to write it ("-" or none: stdout)'),
    'ktrdr report op_backtesting_20261128_154506_1a2b3c4d -o report.html',
  ).action(
    action<{ output?: string }>(async (ctx, [id], opts) => {
      const toStdout = opts.output === undefined || opts.output === '-';
      if (toStdout && ctx.output.json)
        throw new CliError(
          '--json prints a JSON document on stdout, so the report needs a file: add -o <file>',
          ExitCode.usage,
          'USAGE',
        );
      const input = await loadBacktestReport(ctx.connection().client, id!).catch((error) => {
        throw error instanceof ReportRefusal ? refusal(error) : error;
      });
      const html = backtestReportHtml(input);
      const trades = input.trades.length;
      if (toStdout) {
        ctx.terminal.stdout.write(html);
        ctx.output.note(`Report of ${id} (${trades} trades) written to stdout.`);
        return undefined;
      }
      const path = resolve(opts.output!);
      await writeFile(path, html, 'utf8').catch((error: NodeJS.ErrnoException) => {
        // a missing folder or a read-only place is the user's to fix: say where
        throw new CliError(
          `cannot write the report to ${path}: ${error.code ?? error.message}`,
          ExitCode.usage,
          'USAGE',
        );
      });
      ctx.output.result(
        { operation_id: id, path, bytes: Buffer.byteLength(html), trades },
        () => `Report of ${id} (${trades} trades) written to ${path}`,
      );
      return undefined;
    }),
  );
}
