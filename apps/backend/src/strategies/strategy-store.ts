import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseStrategyConfig, strategyHash, StrategyValidationError } from '@ktrdr/engine/validate';
import type { StrategyConfig, StrategySummary } from '@ktrdr/shared';
import { ValidationError, ValidationIssuesError } from '@ktrdr/server-kit';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Db } from '../storage/database.js';

/** A strategy version. */
export interface StoredStrategy {
  name: string;
  yaml: string;
  config: StrategyConfig;
  hash: string;
  version: number;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Parses and validates strategy YAML; throws a 400 naming the path of each problem. */
export function parseStrategyYaml(text: string): StrategyConfig {
  let raw: unknown;
  try {
    // logLevel error: an unknown tag is the document's problem, not a process warning
    raw = parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (error) {
    // everything the YAML reader throws is about the text: syntax (YAMLParseError), an
    // alias to no anchor or too many aliases (ReferenceError), nesting too deep (RangeError)
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationIssuesError([
      { path: 'yaml', message: `${line ? `line ${line}: ` : ''}${message.split('\n')[0] ?? ''}` },
    ]);
  }
  try {
    return parseStrategyConfig(raw);
  } catch (error) {
    // a problem with the document as a whole (not a mapping at all) is the yaml field's
    if (error instanceof StrategyValidationError)
      throw new ValidationIssuesError(
        error.issues.map((issue) => (issue.path ? issue : { ...issue, path: 'yaml' })),
      );
    throw error;
  }
}

/**
 * Strategies are YAML files under `<data dir>/strategies` (the bundled examples are
 * copied there on first start; an example the user changed keeps the change), and every
 * version of each is kept in the database: a write through the API — or an edit of the
 * file by hand — is a new version, and an operation records the hash of the one it ran.
 */
export class StrategyStore {
  private readonly cache = new Map<
    string,
    { mtimeMs: number; size: number; strategy: StoredStrategy }
  >();

  constructor(
    private readonly dir: string,
    private readonly db: Db,
    private readonly log: { warn: (obj: object, msg: string) => void },
  ) {}

  /** Copies bundled examples that are not in the folder yet. */
  seed(bundledDir: string): void {
    if (!existsSync(bundledDir)) return;
    for (const file of readdirSync(bundledDir)) {
      if (!file.endsWith('.yaml')) continue;
      const target = join(this.dir, file);
      if (!existsSync(target)) copyFileSync(join(bundledDir, file), target);
    }
  }

  private latest(name: string): { version: number; hash: string } | undefined {
    return this.db
      .prepare(
        'SELECT version, hash FROM strategy_versions WHERE name = ? ORDER BY version DESC LIMIT 1',
      )
      .get(name) as { version: number; hash: string } | undefined;
  }

  /** Records `yaml` as the newest version unless it is the newest already; returns its number. */
  private record(name: string, yaml: string, hash: string): number {
    const latest = this.latest(name);
    if (latest?.hash === hash) return latest.version;
    const version = (latest?.version ?? 0) + 1;
    this.db
      .prepare(
        'INSERT INTO strategy_versions (name, version, hash, yaml, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(name, version, hash, yaml, new Date().toISOString());
    return version;
  }

  /** The current version, or undefined when no such file exists. Throws a 400 when the file is invalid. */
  get(name: string): StoredStrategy | undefined {
    if (!NAME.test(name)) return undefined;
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
    const hash = strategyHash(config);
    const strategy = { name, yaml, config, hash, version: this.record(name, yaml, hash) };
    this.cache.set(name, { mtimeMs: stat.mtimeMs, size: stat.size, strategy });
    return strategy;
  }

  /** An earlier (or the current) version by its hash. */
  version(name: string, hash: string): StoredStrategy | undefined {
    this.get(name); // make sure an edit on disk is recorded first
    const row = this.db
      .prepare(
        'SELECT version, yaml FROM strategy_versions WHERE name = ? AND hash = ? ORDER BY version DESC LIMIT 1',
      )
      .get(name, hash) as { version: number; yaml: string } | undefined;
    if (!row) return undefined;
    const config = parseStrategyYaml(row.yaml);
    return { name, yaml: row.yaml, config, hash, version: row.version };
  }

  /**
   * Validates and writes a strategy (atomically: a temporary file renamed into place).
   * Its `name` must match the one in the URL. Returns the stored version and whether it
   * is new.
   */
  put(name: string, yaml: string): { strategy: StoredStrategy; created: boolean } {
    const config = parseStrategyYaml(yaml);
    if (config.name !== name) {
      throw new ValidationError(
        'name',
        `is "${config.name}" but the strategy is written as "${name}"; make them the same`,
      );
    }
    const existed = existsSync(join(this.dir, `${name}.yaml`));
    const temp = join(this.dir, `.${name}.yaml.${process.pid}.tmp`);
    writeFileSync(temp, yaml);
    renameSync(temp, join(this.dir, `${name}.yaml`));
    this.cache.delete(name);
    const strategy = this.get(name) as StoredStrategy;
    return { strategy, created: !existed };
  }

  /** Names of every strategy file. */
  names(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.yaml') && !f.startsWith('.'))
      .map((f) => f.slice(0, -5))
      .filter((n) => NAME.test(n))
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
