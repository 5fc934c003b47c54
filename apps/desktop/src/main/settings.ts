import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';

/** What the desktop app remembers between runs, beside the database in the data dir. */
export const DesktopSettingsSchema = Type.Object(
  {
    backend_port: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
    local_backtest_workers: Type.Integer({ minimum: 0, maximum: 64, default: 1 }),
    local_training_workers: Type.Integer({ minimum: 0, maximum: 16, default: 1 }),
    /** Start the GPU training host service (it runs only when a GPU backend loads). */
    gpu_training_host: Type.Boolean({ default: true }),
    allow_lan_workers: Type.Boolean({ default: false }),
    ib_gateway_host: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1' }),
    ib_gateway_port: Type.Integer({ minimum: 1, maximum: 65535, default: 4002 }),
    /** The IB host service's own port (0: a free one). */
    ib_host_port: Type.Integer({ minimum: 0, maximum: 65535, default: 5001 }),
  },
  { additionalProperties: false },
);
/** See {@link DesktopSettingsSchema}. */
export type DesktopSettings = Static<typeof DesktopSettingsSchema>;

/** The settings of a first start. */
export const DEFAULT_SETTINGS: DesktopSettings = {
  backend_port: 8000,
  local_backtest_workers: 1,
  local_training_workers: 1,
  gpu_training_host: true,
  allow_lan_workers: false,
  ib_gateway_host: '127.0.0.1',
  ib_gateway_port: 4002,
  ib_host_port: 5001,
};

const validator = Compile(DesktopSettingsSchema);

/** `<data dir>/desktop-settings.json`. */
export function settingsPath(dataDir: string): string {
  return join(dataDir, 'desktop-settings.json');
}

/**
 * Reads the settings; a missing file gives the defaults, and an unreadable or invalid one
 * gives the defaults plus a warning (the app must start, and says why it ignored them).
 */
export function loadSettings(dataDir: string): {
  settings: DesktopSettings;
  warning: string | null;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(settingsPath(dataDir), 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      return { settings: { ...DEFAULT_SETTINGS }, warning: null };
    return {
      settings: { ...DEFAULT_SETTINGS },
      warning: `${settingsPath(dataDir)} is not valid JSON; using the defaults`,
    };
  }
  const merged = { ...DEFAULT_SETTINGS, ...(raw && typeof raw === 'object' ? raw : {}) };
  if (!validator.Check(merged)) {
    const first = [...validator.Errors(merged)][0];
    return {
      settings: { ...DEFAULT_SETTINGS },
      warning: `${settingsPath(dataDir)}: ${first?.instancePath.slice(1) ?? ''} ${first?.message ?? 'is invalid'}; using the defaults`,
    };
  }
  return { settings: merged, warning: null };
}

/** Writes the settings atomically. */
export function saveSettings(dataDir: string, settings: DesktopSettings): void {
  if (!validator.Check(settings)) throw new Error('invalid settings');
  mkdirSync(dataDir, { recursive: true });
  const path = settingsPath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
