import { seededRandom } from '@ktrdr/engine/data';
import type { SweepStartRequest } from '@ktrdr/shared';
import { ValidationError } from '@ktrdr/server-kit';

/** One swept parameter's value. */
export type ParameterValue = number | string | boolean;
/** One parameter set: strategy path → value. */
export type ParameterSet = Record<string, ParameterValue>;

type Dimension = SweepStartRequest['parameters'][string];

/** The values of one dimension: a list as given, or a range expanded (float noise rounded off). */
export function dimensionValues(path: string, dimension: Dimension): (number | string | boolean)[] {
  if (Array.isArray(dimension)) return dimension;
  const { from, to, step } = dimension;
  if (to < from)
    throw new ValidationError(`parameters.${path}.to`, `${to} is below from (${from})`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > 1_000_000)
    throw new ValidationError(
      `parameters.${path}`,
      `from ${from} to ${to} by ${step} is ${count} values; use a larger step`,
    );
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
}

/**
 * The parameter sets of a sweep, in a stable order. Grid: every combination (the first path
 * varies slowest). Random: `samples` distinct combinations drawn with `seed` (all of them
 * when there are fewer). Refused — before anything is made — when it would be more than
 * `max` sets, with the count.
 */
export function parameterSets(
  request: Pick<SweepStartRequest, 'parameters' | 'mode' | 'samples' | 'seed'>,
  max: number,
  maxName = 'max_sets',
): { paths: string[]; sets: ParameterSet[]; gridSize: number } {
  const paths = Object.keys(request.parameters);
  const values = paths.map((path) => dimensionValues(path, request.parameters[path]!));
  const gridSize = values.reduce((n, v) => n * v.length, 1);
  const mode = request.mode ?? 'grid';
  if (mode === 'random' && request.samples === undefined)
    throw new ValidationError('samples', 'is required with mode "random": how many sets to draw');
  const wanted = mode === 'grid' ? gridSize : Math.min(request.samples!, gridSize);
  if (wanted > max)
    throw new ValidationError(
      mode === 'grid' ? 'parameters' : 'samples',
      `the sweep would run ${wanted} parameter sets, more than the ${max} allowed (${maxName}, at most KTRDR_SWEEP_MAX_SETS); narrow the space${mode === 'grid' ? ' or use mode "random" with samples' : ''}`,
      { count: wanted, max },
    );
  const setAt = (index: number): ParameterSet => {
    const picked: (number | string | boolean)[] = [];
    let rest = index;
    for (let d = paths.length - 1; d >= 0; d--) {
      const options = values[d]!;
      picked[d] = options[rest % options.length]!;
      rest = Math.floor(rest / options.length);
    }
    // keys in the request's order, so every view lists them the same way
    return Object.fromEntries(paths.map((path, d) => [path, picked[d]!]));
  };
  if (mode === 'grid')
    return { paths, sets: Array.from({ length: gridSize }, (_, i) => setAt(i)), gridSize };
  // random: a partial Fisher-Yates over the grid's indexes, without materialising the grid
  const random = seededRandom(request.seed ?? 1);
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (gridSize - i));
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    picked.push(atJ);
  }
  return { paths, sets: picked.map(setAt), gridSize };
}
