import { createServer, get as httpGet, type IncomingMessage, type Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { ProcessCluster } from './process-cluster.js';
import { cpuSeconds, machineBusySeconds, rssMiB } from './proc-stats.js';
import { loadavg } from 'node:os';
import { summarize, type Summary } from './stats.js';

/** A short backtest (about 20 months of daily bars), as in the dispatch benchmark. */
const SHORT = { strategy_name: 'sma_crossover', start_date: '2018-09-01' } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options of {@link clusterLoad}. */
export interface ClusterLoadOptions {
  /** Length of the measured window. */
  seconds: number;
  /** Simulated (protocol-only) workers, each heartbeating every second. */
  simulatedWorkers: number;
  /** SSE clients on `GET /api/v1/events`. */
  sseClients: number;
  /** Real `ktrdr-worker` processes running a stream of short backtests. */
  realWorkers: number;
  /** Length of the first window: the simulated workers' heartbeats alone. */
  baselineSeconds: number;
}

/** The backend process's CPU and memory over a window. */
export interface BackendUsage {
  /** Mean CPU over the window, % of one core. */
  cpuPercent: number;
  /** The busiest one-second sample, % of one core. */
  cpuPeakPercent: number;
  rssStartMiB: number;
  rssEndMiB: number;
  /** VmHWM: the highest RSS the process ever had. */
  rssPeakMiB: number;
}

/** What {@link clusterLoad} measured. */
export interface ClusterLoad {
  options: ClusterLoadOptions;
  /** Registering every simulated worker (the backend calls each one's /health first). */
  registration: { seconds: number; failed: number; latency: Summary };
  baseline: { heartbeats: Summary; backend: BackendUsage };
  /** The backend 5 s after the heartbeats stopped and the SSE clients left (the simulated workers still registered). */
  after: { rssMiB: number };
  window: {
    heartbeats: Summary;
    heartbeatsSent: number;
    /** Heartbeats answered with an error or not at all. */
    heartbeatsFailed: number;
    /** Gaps of more than 1.5 s between two acknowledged heartbeats of one worker (the backend probes such a worker). */
    heartbeatsLate: number;
    /** Simulated workers the backend marked `temporarily_unavailable` or removed during the window. */
    markedUnavailable: number;
    removed: number;
    dispatch: Summary;
    endToEnd: Summary;
    backtestsCompleted: number;
    backtestsFailed: number;
    /** What happened to each backtest that did not complete. */
    backtestProblems: string[];
    backend: BackendUsage;
    /** Events per SSE client, by name (min and max over the clients) and in all. */
    events: { name: string; minPerClient: number; maxPerClient: number; total: number }[];
    eventBytesPerClient: number;
    sseSubscribersSeen: number;
    sseDisconnects: number;
    /** The load process's own event-loop delay p99 (ms) and CPU (% of a core): is the client the bottleneck? */
    clientLoopDelayP99: number;
    clientCpuPercent: number;
    /** The real worker processes together (% of one core). */
    workersCpuPercent: number;
    /** The whole machine (% of one core: 100 × cores when saturated). */
    machineBusyPercent: number;
    /** The machine minus the backend, the workers and the load process: other people's work. */
    othersCpuPercent: number;
    /** 1-minute load average at the end of the window. */
    loadAverage: number;
  };
}

/** One HTTP server that plays the `/health` of every simulated worker at `/w/<id>`. */
function startSimulatorServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const match = /^\/w\/([^/]+)(\/.*)$/.exec(req.url ?? '');
    if (match && match[2] === '/health' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'ok',
          worker_id: match[1],
          worker_type: 'training',
          worker_status: 'idle',
          current_operation_id: null,
        }),
      );
      return;
    }
    // a simulated worker never runs anything: any start or other request is refused
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'WORKER_BUSY', message: 'simulated worker', details: {} },
      }),
    );
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

/** A raw SSE client that only counts events by name (cheap enough for hundreds). */
class CountingSseClient {
  readonly counts = new Map<string, number>();
  bytes = 0;
  disconnects = 0;
  private rest = '';
  private response: IncomingMessage | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = httpGet(
        `${this.url}/api/v1/events`,
        { headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`events answered ${res.statusCode}`));
            res.resume();
            return;
          }
          this.response = res;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.feed(chunk));
          res.on('close', () => {
            if (!this.closed) this.disconnects++;
          });
          resolve();
        },
      );
      req.on('error', (error) => {
        if (!this.closed) reject(error);
      });
    });
  }

  private feed(chunk: string): void {
    this.bytes += chunk.length;
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('event: ')) {
        const name = line.slice(7);
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      }
    }
  }

  /** Forgets what was counted so far (the window starts now). */
  reset(): void {
    this.counts.clear();
    this.bytes = 0;
  }

  close(): void {
    this.closed = true;
    this.response?.destroy();
  }
}

/** Samples a process's CPU every second. */
function cpuSampler(pid: number) {
  const samples: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const rssStart = rssMiB(pid).rss;
  let lastCpu = cpu0;
  let lastT = t0;
  const timer = setInterval(() => {
    const cpu = cpuSeconds(pid);
    const t = performance.now();
    samples.push(((cpu - lastCpu) / ((t - lastT) / 1000)) * 100);
    lastCpu = cpu;
    lastT = t;
  }, 1000);
  return {
    stop(): BackendUsage {
      clearInterval(timer);
      const { rss, peak } = rssMiB(pid);
      return {
        cpuPercent: ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100,
        cpuPeakPercent: samples.length ? Math.max(...samples) : Number.NaN,
        rssStartMiB: rssStart,
        rssEndMiB: rss,
        rssPeakMiB: peak,
      };
    },
  };
}

/**
 * The backend (`ktrdr-backend` process) under a cluster's load: `simulatedWorkers`
 * protocol-only workers registered as `training` workers (so the real backtests never go
 * to them; their URL answers any start with 503 WORKER_BUSY) heartbeating every second
 * from this process, `sseClients` SSE clients on `/api/v1/events`, and `realWorkers`
 * `ktrdr-worker` processes running short backtests back to back, one stream per worker.
 */
export async function clusterLoad(options: ClusterLoadOptions): Promise<ClusterLoad> {
  const cluster = await new ProcessCluster().start();
  const sim = await startSimulatorServer();
  const pool = new Pool(cluster.url, { connections: 32, keepAliveTimeout: 30_000 });
  const sse: CountingSseClient[] = [];
  const pid = cluster.backend.child.pid!;
  const auth = { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' };
  // a worker's own credential, where the backend hands one out at registration
  const credentials = new Map<string, string>();
  const post = async (
    path: string,
    body: unknown,
    token = cluster.token,
  ): Promise<{ status: number; text: string }> => {
    const res = await pool.request({
      path,
      method: 'POST',
      headers: { ...auth, authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const ids = Array.from(
    { length: options.simulatedWorkers },
    (_, i) => `sim-${String(i).padStart(4, '0')}`,
  );
  const register = async (id: string): Promise<number> => {
    const { status, text } = await post('/api/v1/workers/register', {
      worker_id: id,
      worker_type: 'training',
      endpoint_url: `${sim.url}/w/${id}`,
      capabilities: { gpu: false, cpu_cores: 1, memory_mb: 1024, version: 'sim' },
    });
    if (status === 200) {
      const answer = JSON.parse(text) as { worker_credential?: string };
      if (answer.worker_credential) credentials.set(id, answer.worker_credential);
    }
    return status;
  };

  try {
    // registration, 50 at a time
    const regLatency: number[] = [];
    let regFailed = 0;
    const r0 = performance.now();
    for (let at = 0; at < ids.length; at += 50) {
      await Promise.all(
        ids.slice(at, at + 50).map(async (id) => {
          const t = performance.now();
          const status = await register(id).catch(() => 0);
          regLatency.push(performance.now() - t);
          if (status !== 200) regFailed++;
        }),
      );
    }
    const registration = {
      seconds: (performance.now() - r0) / 1000,
      failed: regFailed,
      latency: summarize(regLatency),
    };

    // heartbeats: each simulated worker every second, spread evenly over the second
    let rtts: number[] = [];
    let sent = 0;
    let failed = 0;
    let late = 0;
    const lastAck = new Map<string, number>();
    const inflight = new Set<string>();
    let beating = true;
    const beat = async (id: string) => {
      inflight.add(id);
      sent++;
      const t = performance.now();
      try {
        const { status } = await post(
          `/api/v1/workers/${id}/heartbeat`,
          { worker_status: 'idle' },
          credentials.get(id),
        );
        const done = performance.now();
        rtts.push(done - t);
        if (status === 404) {
          failed++;
          await register(id).catch(() => 0);
        } else if (status !== 200) failed++;
        else {
          const previous = lastAck.get(id);
          if (previous !== undefined && done - previous > 1500) late++;
          lastAck.set(id, done);
        }
      } catch {
        failed++;
      } finally {
        inflight.delete(id);
      }
    };
    const heartbeatLoop = (async () => {
      const start = performance.now();
      const next = ids.map((_, i) => start + (i * 1000) / ids.length);
      while (beating) {
        const now = performance.now();
        for (let i = 0; i < ids.length; i++) {
          if ((next[i] as number) > now) continue;
          next[i] = (next[i] as number) + 1000;
          const id = ids[i] as string;
          // a worker whose previous heartbeat is still unanswered waits, as the real one does
          if (!inflight.has(id)) void beat(id);
        }
        await sleep(5);
      }
    })();

    // baseline: the heartbeats alone
    await sleep(2000);
    rtts = [];
    const baseUsage = cpuSampler(pid);
    await sleep(options.baselineSeconds * 1000);
    const baseline = { heartbeats: summarize(rtts), backend: baseUsage.stop() };

    // SSE clients, the real workers, and a watcher for the simulated workers' state
    for (let i = 0; i < options.sseClients; i++) {
      const client = new CountingSseClient(cluster.url, cluster.token);
      await client.connect();
      sse.push(client);
    }
    let markedUnavailable = 0;
    let removed = 0;
    let windowOpen = false;
    const watcher = await cluster.events((e) => {
      if (!windowOpen) return;
      if (e.event === 'worker' && e.data.worker_id.startsWith('sim-')) {
        if (e.data.status === 'temporarily_unavailable') markedUnavailable++;
      } else if (e.event === 'worker_removed' && e.data.worker_id.startsWith('sim-')) removed++;
    });
    await cluster.addWorkers(options.realWorkers);
    // warm-up: a few backtests per worker
    for (let i = 0; i < 3 * options.realWorkers; i++) {
      const { operation_id } = await cluster.client.startBacktest(SHORT);
      await cluster.waitForOperation(operation_id, (o) => o.status === 'completed', 60_000, 10);
    }

    // the measured window
    const metrics = await (
      await pool.request({ path: '/metrics', method: 'GET', headers: auth })
    ).body.text();
    const subscribers = Number(/^ktrdr_event_subscribers (\d+)/m.exec(metrics)?.[1] ?? NaN);
    for (const client of sse) client.reset();
    rtts = [];
    sent = 0;
    failed = 0;
    late = 0;
    windowOpen = true;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const clientCpu0 = process.cpuUsage();
    const workerPids = cluster.workers.map((w) => w.child.pid!);
    const workersCpu = () => workerPids.reduce((a, p) => a + cpuSeconds(p), 0);
    const workers0 = workersCpu();
    const backend0 = cpuSeconds(pid);
    const machine0 = machineBusySeconds();
    const w0 = performance.now();
    const usage = cpuSampler(pid);
    const deadline = w0 + options.seconds * 1000;
    const dispatch: number[] = [];
    const endToEnd: number[] = [];
    let completed = 0;
    let btFailed = 0;
    const problems: string[] = [];
    await Promise.all(
      Array.from({ length: options.realWorkers }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const started = await cluster.client.startBacktest(SHORT);
          const t1 = performance.now();
          dispatch.push(t1 - t0);
          const op = await cluster
            .waitForOperation(
              started.operation_id,
              (o) => ['completed', 'failed', 'cancelled'].includes(o.status),
              30_000,
              10,
            )
            .catch(async () => cluster.client.getOperation(started.operation_id));
          if (op.status === 'completed') {
            completed++;
            endToEnd.push(performance.now() - t0);
          } else {
            btFailed++;
            problems.push(
              `${op.operation_id} ${op.status} after ${((performance.now() - t0) / 1000).toFixed(0)} s on ${op.worker_id} (attempt ${op.attempt}, ${op.progress.items_processed} of ${op.progress.items_total} bars, step "${op.progress.current_step}")${op.error_message ? `: ${op.error_message}` : ''}`,
            );
            // a stuck operation would hold its worker: end it so the stream goes on
            if (op.status === 'running' || op.status === 'pending')
              await cluster.client.cancelOperation(op.operation_id).catch(() => undefined);
          }
        }
      }),
    );
    const backend = usage.stop();
    const elapsed = performance.now() - w0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const workersUsed = workersCpu() - workers0;
    const ours =
      cpuSeconds(pid) - backend0 + workersUsed + (clientCpu.user + clientCpu.system) / 1e6;
    const machineBusy = machineBusySeconds() - machine0;
    loop.disable();
    windowOpen = false;
    watcher.close();

    const names = new Set(sse.flatMap((c) => [...c.counts.keys()]));
    const events = [...names].sort().map((name) => {
      const per = sse.map((c) => c.counts.get(name) ?? 0);
      return {
        name,
        minPerClient: Math.min(...per),
        maxPerClient: Math.max(...per),
        total: per.reduce((a, b) => a + b, 0),
      };
    });
    const window = {
      heartbeats: summarize(rtts),
      heartbeatsSent: sent,
      heartbeatsFailed: failed,
      heartbeatsLate: late,
      markedUnavailable,
      removed,
      dispatch: summarize(dispatch),
      endToEnd: summarize(endToEnd),
      backtestsCompleted: completed,
      backtestsFailed: btFailed,
      backtestProblems: problems,
      backend,
      events,
      eventBytesPerClient: sse.reduce((a, c) => a + c.bytes, 0) / Math.max(1, sse.length),
      sseSubscribersSeen: subscribers,
      sseDisconnects: sse.reduce((a, c) => a + c.disconnects, 0),
      clientLoopDelayP99: loop.percentile(99) / 1e6,
      clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1000 / elapsed) * 100,
      workersCpuPercent: (workersUsed / (elapsed / 1000)) * 100,
      machineBusyPercent: (machineBusy / (elapsed / 1000)) * 100,
      othersCpuPercent: ((machineBusy - ours) / (elapsed / 1000)) * 100,
      loadAverage: loadavg()[0] ?? Number.NaN,
    };
    beating = false;
    await heartbeatLoop;
    // what the backend keeps once the load is gone (the SSE clients too)
    for (const client of sse) client.close();
    await sleep(5000);
    const after = { rssMiB: rssMiB(pid).rss };
    return { options, registration, baseline, window, after };
  } finally {
    for (const client of sse) client.close();
    await pool.close();
    sim.server.closeAllConnections();
    sim.server.close();
    await cluster.close();
  }
}
