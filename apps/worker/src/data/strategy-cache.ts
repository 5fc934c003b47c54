import { applyOverrides, strategyHash } from '@ktrdr/engine/validate';
import { parseStrategyConfig } from '@ktrdr/engine/strategies';
import type { BackendClient, BacktestJob, StrategyConfig } from '@ktrdr/shared';
import { untilReachable } from './until-reachable.js';

/**
 * Stored strategy versions this worker has fetched, by name and hash: a version never
 * changes, so a sweep's hundreds of children fetch the strategy once per worker and each
 * child carries only its overrides.
 */
export class StrategyCache {
  private readonly versions = new Map<string, Record<string, unknown>>();
  /**
   * Validated configurations by their JSON text: back-to-back jobs of one strategy validate
   * it once (validating was 3 % of a short backtest's worker CPU). Keyed by content, never by
   * the hash a job claims: a job that names a known hash with another configuration (the
   * API fuzzer sent one) is validated, and run, as what it is.
   */
  private readonly validated = new Map<string, StrategyConfig>();
  /** How many versions were fetched (vs served from memory), for the job's log line. */
  fetched = 0;

  /** A stored version of a strategy, fetched once per worker thread. */
  async versionOf(
    name: string,
    hash: string,
    backend: BackendClient,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const key = `${name}@${hash}`;
    let base = this.versions.get(key);
    if (!base) {
      const doc = await untilReachable(() => backend.getStrategy(name, hash), signal);
      base = doc.config;
      this.versions.set(key, base);
      this.fetched += 1;
    }
    return base;
  }

  /**
   * The configuration a job runs: inline, or the referenced version with the job's
   * overrides applied — checked against the hash the backend recorded, so a worker can
   * never run something other than what the operation says it ran.
   */
  /** {@link configOf}, validated (once per distinct configuration). */
  async validConfigOf(
    strategy: BacktestJob['strategy'],
    backend: BackendClient,
    signal?: AbortSignal,
  ): Promise<StrategyConfig> {
    const raw = await this.configOf(strategy, backend, signal);
    const key = JSON.stringify(raw);
    const known = this.validated.get(key);
    if (known) return known;
    const config = parseStrategyConfig(raw);
    // a long sweep of distinct overrides must not grow it without bound
    if (this.validated.size >= 256) this.validated.clear();
    this.validated.set(key, config);
    return config;
  }

  async configOf(
    strategy: BacktestJob['strategy'],
    backend: BackendClient,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (strategy.config) return strategy.config;
    if (!strategy.base_hash)
      throw new Error(
        `the job names strategy "${strategy.name}" with neither a config nor a version`,
      );
    const base = await this.versionOf(strategy.name, strategy.base_hash, backend, signal);
    const { config, issues } = applyOverrides(base as never, strategy.parameters ?? {});
    if (issues.length > 0)
      throw new Error(
        `the overrides do not apply: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    const hash = strategyHash(config);
    if (hash !== strategy.hash)
      throw new Error(
        `strategy "${strategy.name}" with these overrides hashes to ${hash}, not the ${strategy.hash} the backend recorded`,
      );
    return config;
  }
}
