import { randomBytes } from 'node:crypto';
import { pinnedAgent } from '@ktrdr/server-kit/tls-pin';
import { undiciFetch } from '@ktrdr/server-kit/undici-fetch';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { BackendClient, type WorkerCapabilities } from '@ktrdr/shared';
import { createLogger, listenOn, type RouteEntry, type ServiceHandle } from '@ktrdr/server-kit';
import { Agent } from '@ktrdr/server-kit/undici-agent';
import { defaultWorkerId, firstLanAddress, type WorkerConfig } from './config.js';
import { BUILT_IN_WORKER_JOBS, loadJobKindModules } from './jobs/index.js';
import { BackendChannel } from './runtime/backend-channel.js';
import { BackendLink, type WorkerIdInUseError } from './runtime/backend-link.js';
import type { WorkerJobDefinition } from './runtime/job-definition.js';
import { handedJobStarter } from './runtime/handed-job.js';
import { JobRunner } from './runtime/job-runner.js';
import { LocalOperations } from './runtime/local-operations.js';
import { buildWorkerApp } from './runtime/worker-app.js';
import { WORKER_VERSION } from './version.js';

/** What a worker is started with beyond its configuration. */
export interface StartWorkerOptions {
  /** Job kinds beyond the built-in ones (in-process callers; the bin uses KTRDR_JOB_KINDS). */
  jobs?: readonly WorkerJobDefinition[];
}

/** A running worker. */
export interface WorkerHandle extends ServiceHandle {
  workerId: string;
  /** The URL the backend calls back. */
  publicUrl: string;
  /** Every route of the worker's API (tests check each one's auth). */
  routeTable: readonly RouteEntry[];
  /**
   * Resolves once the backend accepted the registration; rejects with a
   * `WorkerIdInUseError` when it refused the id (a live worker elsewhere holds it).
   */
  registered: Promise<void>;
  /**
   * Resolves when the backend refused this worker's id (409 `WORKER_ID_IN_USE`), at its
   * first registration or a re-registration: the worker has stopped and released its port
   * by then. The process should print the message and exit with `error.exitCode`.
   */
  refused: Promise<WorkerIdInUseError>;
  /** Graceful stop: no new work, finish or stop the running job, report, leave. */
  shutdown(): Promise<void>;
}

/**
 * Starts a worker: its HTTP API first (the backend calls it back while it registers),
 * then registration, heartbeats and job execution. `close()` stops at once;
 * `shutdown()` is the graceful path SIGTERM takes.
 */
export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  mkdirSync(config.cacheDir, { recursive: true });
  // the kinds of this worker's type: built-in, given, and loaded from KTRDR_JOB_KINDS
  const definitions = [
    ...BUILT_IN_WORKER_JOBS,
    ...(options.jobs ?? []),
    ...(await loadJobKindModules(config.jobKindModules ?? [])),
  ].filter((definition) => definition.workerType === config.workerType);
  const log = createLogger(config.logLevel, 'worker');
  let workerId = config.workerId ?? '';
  const local = new LocalOperations(() => workerId);
  // an https backend with a self-signed certificate: trust exactly the pinned one
  const agent = config.backendFingerprint
    ? pinnedAgent(config.backendFingerprint, { connectTimeoutMs: 3000 })
    : new Agent({ keepAliveTimeout: 10_000, connectTimeout: 3000 });
  // the backend calls us with a secret we choose; we call it with the credential it issues
  // (until then, and after a revocation, with the join token: it can only register)
  const callbackToken = randomBytes(32).toString('base64url');
  let credential: string | undefined;
  const backendToken = () => credential ?? config.token;
  const client = new BackendClient({
    baseUrl: config.backendUrl,
    token: backendToken,
    dispatcher: agent,
    // undici's request, not Node's fetch: a third of the CPU per report (undici-fetch.ts)
    fetch: undiciFetch(agent),
    timeoutMs: 10_000,
  });
  const capabilities: WorkerCapabilities = {
    gpu: false,
    cpu_cores: availableParallelism(),
    memory_mb: Math.round(totalmem() / 1024 / 1024),
    version: WORKER_VERSION,
  };
  let publicUrl = '';
  let resolveRefused!: (error: WorkerIdInUseError) => void;
  const refused = new Promise<WorkerIdInUseError>((resolve) => (resolveRefused = resolve));
  // set once the worker listens; a refusal can only come after that
  let close: (graceful: boolean) => Promise<void> = () => Promise.resolve();
  // the link asks the runner what runs; the runner reports through the link
  const link: BackendLink = new BackendLink({
    client,
    identity: () => ({
      worker_id: workerId,
      worker_type: config.workerType,
      ...(config.connection === 'reverse' ? {} : { endpoint_url: publicUrl }),
      connection: config.connection ?? 'direct',
      capabilities,
      callback_token: callbackToken,
    }),
    state: () => runner.state(),
    onDrop: (drops) => runner.drop(drops),
    onCredential: (issued) => (credential = issued),
    // another live worker holds this id: stop at once (its port too) and let the caller exit
    onIdInUse: (error) =>
      void Promise.race([
        close(false).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]).then(() => resolveRefused(error)),
    log,
    // a free worker's last outcome asks for its next job: it comes in the answer
    canTakeNext: () => runner.isFree,
    onNextJob: (next) => startHanded(next),
  });
  const runner = new JobRunner(
    {
      backendUrl: config.backendUrl,
      backendFingerprint: config.backendFingerprint,
      token: backendToken,
      cacheDir: config.cacheDir,
      cancelDeadlineMs: config.cancelDeadlineMs,
      settings: {
        throttleBarsPerSecond: config.throttleBarsPerSecond,
        checkpointSeconds: config.checkpointSeconds,
        trainingBackend: config.trainingBackend,
      },
      workerId: () => workerId,
    },
    local,
    link,
    log,
  );
  const startHanded = handedJobStarter({
    definitions,
    runner,
    finalize: (report) => link.finalize(report),
    workerId: () => workerId,
    log,
  });
  const app = await buildWorkerApp({
    workerId: () => workerId,
    workerType: config.workerType,
    version: WORKER_VERSION,
    tokens: () => (config.tokenIsAdmin ? [callbackToken, config.token] : [callbackToken]),
    definitions,
    runner,
    local,
    log,
  });
  // handlers load what they need (the training backend) before the worker listens and
  // registers, so the roster shows what it really has; a GPU host without a GPU refuses to
  // start without ever taking its port
  let port: number;
  try {
    const notes: string[] = [];
    for (const definition of definitions) {
      // a kind that prepares nothing starts its thread with its first job
      if (!definition.prepares) continue;
      const prepared = await runner.prepare(definition);
      notes.push(...(prepared.notes ?? []));
      for (const note of prepared.notes ?? []) log.info(note);
      Object.assign(capabilities, prepared.capabilities);
    }
    if (config.gpuHost && !capabilities.gpu) {
      throw new Error(
        `the training host service needs a GPU backend, and none loaded: ${notes.join('; ')}. Run a CPU training worker instead (--type training)`,
      );
    }
    port = await listenOn(app, config.host, config.port, 'KTRDR_WORKER_PORT');
  } catch (error) {
    await runner.shutdown(0);
    await app.close();
    await agent.close();
    throw error;
  }
  workerId ||= defaultWorkerId(config.workerType, config.port === 0 ? port : config.port);
  // bound to loopback: only this machine can call back, so advertise that; else the LAN address
  const loopback = /^(127\.|::1$|localhost$)/.test(config.host);
  publicUrl =
    config.publicUrl ??
    `http://${config.publicHost ?? (loopback ? config.host : firstLanAddress())}:${port}`;
  const boundHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${boundHost}:${port}`;
  const urlFile = join(config.cacheDir, 'worker.url');
  writeFileSync(urlFile, `${url}\n`);

  link.start();
  // unreachable from the backend: requests come down a channel this worker opens, and are
  // answered by this worker's own API, exactly as if they had come over HTTP
  const channel =
    config.connection === 'reverse'
      ? new BackendChannel({
          client,
          workerId: () => workerId,
          log,
          handle: async (request) => {
            const response = await app.inject({
              method: request.method,
              url: request.url,
              headers: { authorization: `Bearer ${callbackToken}` },
              ...(request.body === undefined ? {} : { payload: request.body as object }),
            });
            return {
              status: response.statusCode,
              body: response.body ? (JSON.parse(response.body) as unknown) : undefined,
            };
          },
        })
      : undefined;
  // the channel can open once the backend knows this worker: at once after registering
  if (channel)
    void link.ready.then(
      () => channel.start(),
      () => undefined,
    );

  let closing: Promise<void> | undefined;
  close = (graceful: boolean) => {
    closing ??= (async () => {
      if (graceful) {
        await runner.shutdown(config.shutdownGraceMs);
        await Promise.race([link.flushOutbox(), new Promise((r) => setTimeout(r, 3000).unref())]);
        await link.leave();
      } else {
        link.stop();
        await runner.shutdown(0);
      }
      channel?.close();
      await app.close();
      await agent.close();
      rmSync(urlFile, { force: true });
    })();
    return closing;
  };
  return {
    url,
    port,
    workerId,
    publicUrl,
    routeTable: app.routeTable,
    registered: link.ready,
    refused,
    close: () => close(false),
    shutdown: () => close(true),
  };
}
