import { InvalidArgumentError, type Command } from 'commander';
import {
  SWEEP_OBJECTIVES,
  type SweepObjective,
  type SweepRange,
  type SweepStartRequest,
} from '@ktrdr/shared';
import { choiceFlag, integerFlag, withExample, type ActionFactory } from '../command-kit.js';
import {
  dataFields,
  dataOptions,
  followOptions,
  START_FIELD_FLAGS,
  startedThen,
} from './launch.js';

type Space = SweepStartRequest['parameters'];
type Value = number | string | boolean;

const value = (text: string): Value =>
  text === 'true'
    ? true
    : text === 'false'
      ? false
      : text.trim() !== '' && Number.isFinite(Number(text))
        ? Number(text)
        : text;

/**
 * `--param path=5,10,20` (a list) or `--param path=30:200:10` (from:to:step), repeatable,
 * into the API's search space.
 */
export function collectSpace(raw: string, previous: Space = {}): Space {
  const eq = raw.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(
      `--param must look like path=v1,v2,… or path=from:to:step (e.g. indicators.fast.period=5,10,20); got "${raw}"`,
    );
  const path = raw.slice(0, eq);
  const text = raw.slice(eq + 1);
  const range = /^(-?[\d.]+):(-?[\d.]+):([\d.]+)$/.exec(text);
  if (range) {
    const [from, to, step] = range.slice(1).map(Number) as [number, number, number];
    if (![from, to, step].every(Number.isFinite) || step <= 0)
      throw new InvalidArgumentError(`--param ${path}: from:to:step needs numbers and a step > 0`);
    return { ...previous, [path]: { from, to, step } satisfies SweepRange };
  }
  const values = text.split(',').map((v) => v.trim());
  if (values.some((v) => v === ''))
    throw new InvalidArgumentError(`--param ${path}: an empty value in "${text}"`);
  return { ...previous, [path]: values.map(value) };
}

type Constraints = Record<string, { min?: number; max?: number }>;

/** `--constraint total_trades>=10`, `--constraint max_drawdown<=0.3`, repeatable. */
export function collectConstraint(raw: string, previous: Constraints = {}): Constraints {
  const match = /^([a-z_]+)\s*(>=|<=)\s*(-?[\d.eE+-]+)$/.exec(raw.trim());
  if (!match || !Number.isFinite(Number(match[3])))
    throw new InvalidArgumentError(
      `--constraint must look like metric>=number or metric<=number (e.g. total_trades>=10); got "${raw}"`,
    );
  const metric = match[1] as SweepObjective;
  if (!(SWEEP_OBJECTIVES as readonly string[]).includes(metric))
    throw new InvalidArgumentError(
      `--constraint: "${metric}" is not a metric; use one of ${SWEEP_OBJECTIVES.join(', ')}`,
    );
  const bound = { ...previous[metric] };
  if (match[2] === '>=') bound.min = Number(match[3]);
  else bound.max = Number(match[3]);
  return { ...previous, [metric]: bound };
}

/** `ktrdr sweep`. */
export function registerSweepCommand(program: Command, action: ActionFactory): void {
  withExample(
    followOptions(
      dataOptions(
        program
          .command('sweep')
          .description(
            'Backtest a strategy once per parameter set (a grid, or random samples of it) over every free worker, and rank the sets',
          )
          .argument('<strategy>', 'strategy name (see `ktrdr strategies list`)'),
      )
        .requiredOption(
          '--param <path=values>',
          'a swept value, repeatable: path=v1,v2,… or path=from:to:step',
          collectSpace,
        )
        .option(
          '--mode <mode>',
          'grid (default) or random',
          choiceFlag('--mode', ['grid', 'random']),
        )
        .option('--samples <n>', 'with --mode random: how many sets', integerFlag('--samples', 1))
        .option('--seed <n>', 'with --mode random: the draw', integerFlag('--seed', 0))
        .option(
          '--objective <metric>',
          'what ranks the sets (default sharpe_ratio)',
          choiceFlag('--objective', SWEEP_OBJECTIVES),
        )
        .option(
          '--constraint <metric>=bound>',
          'sets outside it rank last, repeatable: e.g. total_trades>=10, max_drawdown<=0.3',
          collectConstraint,
        )
        .option(
          '--max-sets <n>',
          'refuse the sweep if it would run more parameter sets than this',
          integerFlag('--max-sets', 1),
        ),
    ),
    'ktrdr sweep sma_crossover --param indicators.fast.period=5,10,20 --param indicators.slow.period=30:200:10 --follow',
  ).action(
    action<
      Parameters<typeof dataFields>[0] & {
        follow?: boolean;
        cancelOnInterrupt?: boolean;
        param: Space;
        mode?: 'grid' | 'random';
        samples?: number;
        seed?: number;
        objective?: SweepObjective;
        constraint?: Constraints;
        maxSets?: number;
      }
    >(
      async (ctx, [strategy], opts) => {
        const body: SweepStartRequest = {
          strategy_name: strategy ?? '',
          ...dataFields(opts),
          parameters: opts.param,
        };
        if (opts.mode) body.mode = opts.mode;
        if (opts.samples !== undefined) body.samples = opts.samples;
        if (opts.seed !== undefined) body.seed = opts.seed;
        if (opts.objective) body.objective = opts.objective;
        if (opts.constraint) body.constraints = opts.constraint;
        if (opts.maxSets !== undefined) body.max_sets = opts.maxSets;
        return startedThen(ctx, await ctx.connection().client.startSweep(body), opts);
      },
      {
        ...START_FIELD_FLAGS,
        samples: '--samples',
        objective: '--objective',
        constraints: '--constraint',
        max_sets: '--max-sets',
        max_children: '--max-sets',
        mode: '--mode',
      },
    ),
  );
}
