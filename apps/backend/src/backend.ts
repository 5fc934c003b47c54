import { listenOn, type ServiceHandle } from '@ktrdr/server-kit';
import type { AnyJobKind } from '@ktrdr/shared';
import { buildApp, type BuiltBackend } from './app.js';
import { join } from 'node:path';
import { BackendTokens, type TokenSource } from './auth/backend-tokens.js';
import { fromFiles, loadOrCreateTlsIdentity } from './auth/tls-certificate.js';
import type { BackendConfig } from './config.js';
import { openDatabase } from './storage/database.js';
import type { SqliteDriverName } from './storage/sqlite.js';
import { acquireLock, ensureDataDir, loadOrCreateToken } from './storage/data-dir.js';

/** A running backend. */
export interface BackendHandle extends ServiceHandle {
  /** The admin token in force (UI, CLI, API). */
  readonly token: string;
  /** The join token in force (registers workers, nothing else). */
  readonly joinToken: string;
  /** Where the admin token came from: the environment, or the token file (and its path). */
  tokenSource: TokenSource;
  /** Where the join token came from. */
  joinTokenSource: TokenSource;
  /** The certificate's SHA-256 fingerprint in TLS mode (what workers pin), else null. */
  tlsFingerprint: string | null;
  dataDir: string;
  /** True when the web UI is served at `/`. */
  webUi: boolean;
  /** The SQLite driver the database runs on (`KTRDR_SQLITE_DRIVER`). */
  sqliteDriver: SqliteDriverName;
  /** The services, for tests and the desktop app. */
  backend: BuiltBackend;
}

/** What a backend is started with beyond its configuration. */
export interface StartBackendOptions {
  /**
   * Job kinds beyond the built-in ones (a plugin's, a test's): the backend dispatches,
   * recovers, scopes and lists them from their descriptors alone.
   */
  jobKinds?: readonly AnyJobKind[];
}

/**
 * Starts the backend: takes the data dir's lock, opens the database, restores queued
 * operations, listens, and runs failure detection. `close()` undoes all of it.
 */
export async function startBackend(
  config: BackendConfig,
  options: StartBackendOptions = {},
): Promise<BackendHandle> {
  const layout = ensureDataDir(config.dataDir);
  const releaseLock = acquireLock(layout.lock, `http://${config.host}:${config.port}`);
  let db;
  try {
    const slot = (fromEnv: string | undefined, path: string) => {
      if (fromEnv) return { value: fromEnv, source: { kind: 'env' as const } };
      const file = loadOrCreateToken(path);
      return { value: file.token, source: { kind: 'file' as const, path, created: file.created } };
    };
    const tokens = new BackendTokens(
      slot(config.clusterToken, layout.token),
      slot(config.joinToken, layout.joinToken),
    );
    const tls =
      config.tls.mode === 'self-signed'
        ? await loadOrCreateTlsIdentity(join(config.dataDir, 'tls'))
        : config.tls.mode === 'files'
          ? fromFiles(config.tls.cert, config.tls.key)
          : undefined;
    db = openDatabase(layout.database, { driver: config.sqliteDriver ?? 'auto' });
    let url = '';
    const built = await buildApp(config, {
      db,
      tokens,
      tls,
      publicUrl: () => url,
      jobKinds: options.jobKinds ?? [],
    });
    const { app, ctx } = built;

    // what a previous run left: queued work goes back in line, running work must be claimed;
    // operations of kinds the backend runs itself (`runsOn: 'backend'`) go to their services
    const running = ctx.actions.restoreInterrupted(ctx.operations.byStatus('running'));
    ctx.workers.expectClaims(
      running.map((r) => r.operation_id),
      config.restartClaimMs,
    );

    let port: number;
    try {
      port = await listenOn(app, config.host, config.port, 'KTRDR_PORT');
    } catch (error) {
      await built.dispose();
      await app.close();
      throw error;
    }
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    url = `${tls ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    // a dispatch the kill interrupted: its worker may or may not have the job; unassigned,
    // that worker's reports get 409 (drop it), and the operation is dispatched afresh
    const pending = ctx.operations.byStatus('pending');
    for (const record of pending)
      if (record.worker_id !== null) ctx.operations.unassignWorker(record.operation_id);
    // the dispatcher queues those that run on workers
    ctx.dispatcher.restore(pending);
    ctx.sweeps.reattach();
    const sweep = setInterval(
      () => ctx.workers.sweep(),
      Math.max(50, Math.floor(config.heartbeatIntervalMs / 4)),
    );
    sweep.unref();

    let closing: Promise<void> | undefined;
    const openDb = db;
    return {
      url,
      port,
      get token() {
        return tokens.admin();
      },
      get joinToken() {
        return tokens.join();
      },
      tlsFingerprint: tls?.fingerprint ?? null,
      tokenSource: tokens.source('admin'),
      joinTokenSource: tokens.source('join'),
      dataDir: config.dataDir,
      webUi: config.webDir !== undefined,
      sqliteDriver: openDb.driver,
      backend: built,
      close: () => {
        closing ??= (async () => {
          clearInterval(sweep);
          await built.dispose();
          await app.close();
          // a report handled while the server closed may have left a `running` row waiting
          built.ctx.operations.writePending();
          openDb.close();
          releaseLock();
        })();
        return closing;
      },
    };
  } catch (error) {
    db?.close();
    releaseLock();
    throw error;
  }
}
