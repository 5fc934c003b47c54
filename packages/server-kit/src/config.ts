/** An invalid setting: the message names the variable, and the process stops with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The environment with command-line flags applied on top (`--port 9000` or
 * `--port=9000` sets the variable the flag maps to): flags override env.
 */
export function mergeFlags(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  flags: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const variable = flags[flag];
    if (!variable) throw new ConfigError(`unknown option "${arg}"; see --help`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    values[variable] = value;
  }
  return values;
}

/** A TCP port (0 = pick a free one). */
export function parsePort(name: string, raw: string): number {
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new ConfigError(`${name}="${raw}" is not a port number (0–65535; 0 picks a free one)`);
  }
  return n;
}

/** true/false, yes/no, on/off, 1/0. */
export function parseBoolean(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${name}="${raw}" must be true or false`);
}

/** An http(s) URL, without a trailing slash. */
export function parseHttpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name}="${raw}" is not an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}="${raw}" is not an http(s) URL`);
  }
  return raw.trim().replace(/\/+$/, '');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A pino log level. */
export function parseLogLevel(name: string, raw: string): string {
  const level = raw.trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`${name}="${raw}" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

/** A number > 0. */
export function parsePositive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${name}="${raw}" must be a positive number`);
  return n;
}
