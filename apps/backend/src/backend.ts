import { listenOn, type ServiceHandle } from '@ktrdr/server-kit';
import { buildApp, type BuiltBackend } from './app.js';
import type { BackendConfig } from './config.js';
import { openDatabase } from './storage/database.js';
import { acquireLock, ensureDataDir, loadOrCreateToken } from './storage/data-dir.js';

/** A running backend. */
export interface BackendHandle extends ServiceHandle {
  /** The bearer token in force. */
  token: string;
  /** Where the token came from: the environment, or the token file (and its path). */
  tokenSource: { kind: 'env' } | { kind: 'file'; path: string; created: boolean };
  dataDir: string;
  /** True when the web UI is served at `/`. */
  webUi: boolean;
  /** The services, for tests and the desktop app. */
  backend: BuiltBackend;
}

/**
 * Starts the backend: takes the data dir's lock, opens the database, restores queued
 * operations, listens, and runs failure detection. `close()` undoes all of it.
 */
export async function startBackend(config: BackendConfig): Promise<BackendHandle> {
  const layout = ensureDataDir(config.dataDir);
  const releaseLock = acquireLock(layout.lock, `http://${config.host}:${config.port}`);
  let db;
  try {
    const tokenFile = config.clusterToken ? undefined : loadOrCreateToken(layout.token);
    const token = config.clusterToken ?? (tokenFile as { token: string }).token;
    db = openDatabase(layout.database);
    let url = '';
    const built = await buildApp(config, { db, token, publicUrl: () => url });
    const { app, ctx } = built;

    // what a previous run left: queued work goes back in line, running work must be claimed
    const running = ctx.operations.byStatus('running');
    ctx.acquisition.failInterrupted(running.filter((r) => r.operation_type === 'data_load'));
    ctx.workers.expectClaims(
      running.filter((r) => r.operation_type !== 'data_load').map((r) => r.operation_id),
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
    url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    // a dispatch the kill interrupted: its worker may or may not have the job; unassigned,
    // that worker's reports get 409 (drop it), and the operation is dispatched afresh
    const pending = ctx.operations.byStatus('pending');
    for (const record of pending)
      if (record.worker_id !== null) ctx.operations.unassignWorker(record.operation_id);
    ctx.dispatcher.restore(pending);
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
      token,
      tokenSource: tokenFile
        ? { kind: 'file', path: layout.token, created: tokenFile.created }
        : { kind: 'env' },
      dataDir: config.dataDir,
      webUi: config.webDir !== undefined,
      backend: built,
      close: () => {
        closing ??= (async () => {
          clearInterval(sweep);
          await built.dispose();
          await app.close();
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
