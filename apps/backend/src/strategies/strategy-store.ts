import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseStrategyConfig, strategyHash, StrategyValidationError } from '@ktrdr/engine/validate';
import type { StrategyConfig, StrategySummary } from '@ktrdr/shared';
import { ValidationIssuesError } from '@ktrdr/server-kit';
import { parse as parseYaml, YAMLParseError } from 'yaml';

/** A strategy read from disk. */
export interface StoredStrategy {
  name: string;
  yaml: string;
  config: StrategyConfig;
  hash: string;
  version: number;
}

/** Parses and validates strategy YAML; throws a 400 naming the path of each problem. */
export function parseStrategyYaml(text: string): StrategyConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0]?.line;
      throw new ValidationIssuesError([
        {
          path: 'yaml',
          message: `${line ? `line ${line}: ` : ''}${error.message.split('\n')[0] ?? ''}`,
        },
      ]);
    }
    throw error;
  }
  try {
    return parseStrategyConfig(raw);
  } catch (error) {
    if (error instanceof StrategyValidationError) throw new ValidationIssuesError(error.issues);
    throw error;
  }
}

/**
 * Strategies are YAML files under `<data dir>/strategies`, seeded with the bundled
 * examples on first start (only missing files are copied, so an edited example keeps its
 * edits). Parsed strategies are cached until their file changes.
 */
export class StrategyStore {
  private readonly cache = new Map<
    string,
    { mtimeMs: number; size: number; strategy: StoredStrategy }
  >();

  constructor(
    private readonly dir: string,
    private readonly log: { warn: (obj: object, msg: string) => void },
  ) {}

  /** Copies bundled examples that are not in the folder yet. */
  seed(bundledDir: string): void {
    if (!existsSync(bundledDir)) return;
    for (const file of readdirSync(bundledDir)) {
      if (!file.endsWith('.yaml')) continue;
      const target = join(this.dir, file);
      if (!existsSync(target)) copyFileSync(bundledDir + '/' + file, target);
    }
  }

  /** One strategy, or undefined when no such file exists. Throws a 400 when the file is invalid. */
  get(name: string): StoredStrategy | undefined {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) return undefined;
    const path = join(this.dir, `${name}.yaml`);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return undefined;
    }
    const cached = this.cache.get(name);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size)
      return cached.strategy;
    const yaml = readFileSync(path, 'utf8');
    const config = parseStrategyYaml(yaml);
    const strategy = { name, yaml, config, hash: strategyHash(config), version: 1 };
    this.cache.set(name, { mtimeMs: stat.mtimeMs, size: stat.size, strategy });
    return strategy;
  }

  /** Names of every strategy file. */
  names(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5))
      .sort();
  }

  /** Every valid strategy (invalid files are logged and left out). */
  list(): StrategySummary[] {
    const out: StrategySummary[] = [];
    for (const name of this.names()) {
      try {
        const s = this.get(name);
        if (!s) continue;
        out.push({
          name,
          type: s.config.type,
          description: s.config.description ?? '',
          hash: s.hash,
          version: s.version,
          data: s.config.data ?? {},
        });
      } catch (error) {
        this.log.warn(
          { strategy: name, err: (error as Error).message },
          'invalid strategy file left out',
        );
      }
    }
    return out;
  }
}
