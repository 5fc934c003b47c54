import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** Where each thing lives in the data dir. */
export function dataDirLayout(dataDir: string) {
  return {
    database: join(dataDir, 'ktrdr.db'),
    token: join(dataDir, 'cluster-token'),
    joinToken: join(dataDir, 'join-token'),
    lock: join(dataDir, 'backend.lock'),
    strategies: join(dataDir, 'strategies'),
    artifacts: join(dataDir, 'artifacts'),
    models: join(dataDir, 'models'),
  };
}

/** The data dir is already used by a running backend. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes the data dir's lock file, so that two backends never write one database.
 * A lock left by a process that no longer exists (a crash) is taken over.
 */
export function acquireLock(path: string, describe: string): () => void {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(
        fd,
        JSON.stringify({ pid: process.pid, started_at: new Date().toISOString(), url: describe }),
      );
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
          if (owner.pid === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      let owner: { pid?: number; url?: string; started_at?: string } = {};
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
      } catch {
        // a half-written lock: treat as stale
      }
      if (owner.pid && processAlive(owner.pid)) {
        throw new DataDirLockedError(
          `another backend (pid ${owner.pid}, ${owner.url ?? 'unknown URL'}, since ${owner.started_at ?? '?'}) is using ${path.replace(/\/backend\.lock$/, '')}; stop it first or set KTRDR_DATA_DIR to another folder`,
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it first
      }
    }
  }
  throw new DataDirLockedError(`could not take the lock ${path}`);
}

/** Reads a token (the cluster or the join token) from its file, generating one (mode 0600) on first start. */
export function loadOrCreateToken(path: string): { token: string; created: boolean } {
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, created: false };
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, created: true };
}

/** Creates the data dir and its sub-folders. */
export function ensureDataDir(dataDir: string): ReturnType<typeof dataDirLayout> {
  const layout = dataDirLayout(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.strategies, { recursive: true });
  mkdirSync(layout.artifacts, { recursive: true });
  return layout;
}
