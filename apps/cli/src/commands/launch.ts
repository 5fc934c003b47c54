import { InvalidArgumentError, type Command } from 'commander';
import {
  TIMEFRAMES,
  type BacktestStartRequest,
  type StartResponse,
  type TrainingStartRequest,
} from '@ktrdr/shared';
import type { CommandContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { followAndReport } from '../follow/follow-flow.js';
import {
  choiceFlag,
  integerFlag,
  numberFlag,
  withExample,
  type ActionFactory,
} from '../command-kit.js';

/** API fields of the start routes → the flags that set them (for error messages). */
export const START_FIELD_FLAGS: Record<string, string> = {
  strategy_name: 'the <strategy> argument',
  symbol: '--symbol',
  timeframe: '--timeframe',
  start_date: '--start',
  end_date: '--end',
  initial_capital: '--capital',
  commission: '--commission',
  slippage: '--slippage',
  model_id: '--model',
  epochs: '--epochs',
  seed: '--seed',
  parameters: '--param',
};

interface DataFlags {
  symbol?: string;
  timeframe?: string;
  start?: string;
  end?: string;
}

interface FollowOption {
  follow?: boolean;
  cancelOnInterrupt?: boolean;
}

/** Adds the flags that say which bars to run on (each defaults to the strategy's own). */
export function dataOptions(command: Command): Command {
  return command
    .option('--symbol <symbol>', "the series' symbol (default: the strategy's)")
    .option(
      '--timeframe <tf>',
      `bar size: ${TIMEFRAMES.join(', ')} (default: the strategy's)`,
      choiceFlag('--timeframe', TIMEFRAMES),
    )
    .option('--start <date>', "first day, YYYY-MM-DD or ISO-8601 (default: the strategy's)")
    .option('--end <date>', "last day, inclusive (default: the strategy's)");
}

/** Adds `--follow` and `--cancel-on-interrupt`. */
export function followOptions(command: Command): Command {
  return command
    .option('--follow', 'stay and draw a live progress bar until it ends; print the result')
    .option(
      '--cancel-on-interrupt',
      'with --follow: Ctrl-C cancels the operation on the workers without asking',
    );
}

export function dataFields(opts: DataFlags): Partial<BacktestStartRequest> {
  const fields: Partial<BacktestStartRequest> = {};
  if (opts.symbol !== undefined) fields.symbol = opts.symbol;
  if (opts.timeframe !== undefined)
    fields.timeframe = opts.timeframe as BacktestStartRequest['timeframe'];
  if (opts.start !== undefined) fields.start_date = opts.start;
  if (opts.end !== undefined) fields.end_date = opts.end;
  return fields;
}

/** After a start: follow it, or print its id and how to follow it. */
export async function startedThen(
  ctx: CommandContext,
  started: StartResponse,
  opts: FollowOption,
): Promise<ExitCodeValue> {
  // what the backend chose for the run (a model backtest's test-split dates), said first
  if (started.note) ctx.output.note(started.note);
  if (opts.follow) {
    ctx.output.note(`${started.operation_id} ${started.status}`);
    return followAndReport(ctx, started.operation_id, opts);
  }
  ctx.output.result(started, () =>
    [
      `${started.operation_id} ${started.status}`,
      `  follow it:  ktrdr follow ${started.operation_id}`,
      `  cancel it:  ktrdr cancel ${started.operation_id}`,
    ].join('\n'),
  );
  return ExitCode.ok;
}

/** Parses repeated `--param path=value` into the API's `parameters` overrides. */
function collectParam(raw: string, previous: Record<string, number | string | boolean> = {}) {
  const eq = raw.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(
      `--param must look like path=value (e.g. indicators.fast.period=10); got "${raw}"`,
    );
  const text = raw.slice(eq + 1);
  const value =
    text === 'true'
      ? true
      : text === 'false'
        ? false
        : text.trim() !== '' && Number.isFinite(Number(text))
          ? Number(text)
          : text;
  return { ...previous, [raw.slice(0, eq)]: value };
}

/** `ktrdr backtest` and `ktrdr train`. */
export function registerLaunchCommands(program: Command, action: ActionFactory): void {
  withExample(
    followOptions(
      dataOptions(
        program
          .command('backtest')
          .description('Run a backtest of a strategy on a worker')
          .argument('<strategy>', 'strategy name (see `ktrdr strategies list`)'),
      )
        .option(
          '--capital <amount>',
          'initial capital (default 100000)',
          numberFlag('--capital', (n) => (n > 0 ? undefined : 'must be > 0')),
        )
        .option(
          '--commission <fraction>',
          'per trade, a fraction of notional (default 0.001 = 0.1 %)',
          numberFlag('--commission'),
        )
        .option(
          '--slippage <fraction>',
          'a fraction of price (default 0.0005)',
          numberFlag('--slippage'),
        )
        .option('--model <model_id>', 'the trained model a neuro_fuzzy strategy runs with')
        .option(
          '--param <path=value>',
          'override a strategy value, repeatable (e.g. indicators.fast.period=10)',
          collectParam,
        ),
    ),
    'ktrdr backtest sma_crossover --symbol SP500 --timeframe 1d --start 2010-01-01 --end 2020-12-31 --follow',
  ).action(
    action<
      DataFlags &
        FollowOption & {
          capital?: number;
          commission?: number;
          slippage?: number;
          model?: string;
          param?: Record<string, number | string | boolean>;
        }
    >(async (ctx, [strategy], opts) => {
      const body: BacktestStartRequest = { strategy_name: strategy ?? '', ...dataFields(opts) };
      if (opts.capital !== undefined) body.initial_capital = opts.capital;
      if (opts.commission !== undefined) body.commission = opts.commission;
      if (opts.slippage !== undefined) body.slippage = opts.slippage;
      if (opts.model !== undefined) body.model_id = opts.model;
      if (opts.param) body.parameters = opts.param;
      return startedThen(ctx, await ctx.connection().client.startBacktest(body), opts);
    }, START_FIELD_FLAGS),
  );

  withExample(
    followOptions(
      dataOptions(
        program
          .command('train')
          .description('Train the neural network of a neuro_fuzzy strategy on a training worker')
          .argument('<strategy>', 'a neuro_fuzzy strategy name'),
      )
        .option('--epochs <n>', "epochs (default: the strategy's)", integerFlag('--epochs'))
        .option('--seed <n>', 'random seed, for a reproducible run', integerFlag('--seed', 0))
        .option(
          '--param <path=value>',
          'override a strategy value, repeatable (e.g. training.early_stopping.patience=3)',
          collectParam,
        ),
    ),
    'ktrdr train neuro_fuzzy_example --epochs 20 --param training.learning_rate=0.0005 --follow',
  ).action(
    action<
      DataFlags &
        FollowOption & {
          epochs?: number;
          seed?: number;
          param?: Record<string, number | string | boolean>;
        }
    >(async (ctx, [strategy], opts) => {
      const body: TrainingStartRequest = {
        strategy_name: strategy ?? '',
        ...(dataFields(opts) as Partial<TrainingStartRequest>),
      };
      if (opts.epochs !== undefined) body.epochs = opts.epochs;
      if (opts.seed !== undefined) body.seed = opts.seed;
      if (opts.param) body.parameters = opts.param;
      return startedThen(ctx, await ctx.connection().client.startTraining(body), opts);
    }, START_FIELD_FLAGS),
  );
}
