#!/usr/bin/env node
/**
 * `npm run load`: the backend under a cluster's load, and the operations list over a large
 * table. Not part of `npm test` or CI. Writes docs/LOAD.md (linked from docs/BENCHMARKS.md).
 * Options: --seconds N (the measured window, default 60), --workers N (simulated workers,
 * default 1000), --sse N (SSE clients, default 200), --operations N (default 100000),
 * --samples N (requests per list query, default 200), --skip-cluster, --skip-operations.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { clusterLoad, type BackendUsage, type ClusterLoad } from './load-cluster.js';
import { operationsList, type OperationsListLoad } from './load-operations.js';
import { ms, type Summary } from './stats.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const seconds = option('seconds', 60);
const simulated = option('workers', 1000);
const sseClients = option('sse', 200);
const operations = option('operations', 100_000);
const samples = option('samples', 200);
const skipCluster = process.argv.includes('--skip-cluster');
const skipOperations = process.argv.includes('--skip-operations');
const command = `npm run load${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}`;

const latencyRow = (name: string, s: Summary, target: string) =>
  `| ${name} | ${n(s.n)} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${target} |`;
const usageRow = (name: string, u: BackendUsage) =>
  `| ${name} | ${u.cpuPercent.toFixed(0)} % | ${u.cpuPeakPercent.toFixed(0)} % | ${u.rssStartMiB.toFixed(0)} → ${u.rssEndMiB.toFixed(0)} MiB | ${u.rssPeakMiB.toFixed(0)} MiB |`;

/** Whether a window's figures show the machine's limits rather than the backend's. */
function contention(busyPercent: number, cores: number): string {
  return busyPercent > cores * 100 * 0.85
    ? `The machine was saturated (more than 85 % of its ${cores} cores busy): the round trips above include time spent waiting for a core, in the client, the backend and the workers alike. They show contention, not the backend's cost alone; the baseline row is the backend's cost without it.`
    : `The machine had CPU to spare, so the round trips above are mostly the backend's own cost and its queueing.`;
}

function clusterSection(r: ClusterLoad): string {
  const w = r.window;
  const o = r.options;
  const events = w.events
    .map(
      (e) =>
        `| ${e.name} | ${n(e.minPerClient)}${e.maxPerClient !== e.minPerClient ? `–${n(e.maxPerClient)}` : ''} | ${n(e.total)} |`,
    )
    .join('\n');
  return `## A cluster's load on one backend

\`ktrdr-backend\` as its own process (CPU and RSS read from \`/proc/<pid>\`), with
${n(o.simulatedWorkers)} simulated workers, ${n(o.sseClients)} SSE clients and ${o.realWorkers} real
\`ktrdr-worker\` processes, for a ${o.seconds} s window.

- *Simulated workers*: registered as \`training\` workers over HTTP (\`POST /api/v1/workers/register\`;
  the backend calls each one back at \`<endpoint_url>/health\`, served for all of them by one
  small HTTP server in the load process at \`/w/<id>/health\`, which answers any start request
  with 503 \`WORKER_BUSY\`), each heartbeating every second (\`POST /api/v1/workers/{id}/heartbeat\`,
  spread evenly over the second, over 32 keep-alive connections). No training is submitted, so
  the backtests below only ever go to the real workers.
- *SSE clients*: ${n(o.sseClients)} connections on \`GET /api/v1/events\` that count the events they receive.
- *Backtests*: one stream per real worker of short backtests (sma_crossover on SP500 1d from
  2018-09-01), each started when the previous one completed, so a worker is always free at a start.

Registering the ${n(o.simulatedWorkers)} workers (50 at a time, each verified by a call back):
${r.registration.seconds.toFixed(1)} s, ${r.registration.failed} refused, p50 ${ms(r.registration.latency.p50)} ms,
p99 ${ms(r.registration.latency.p99)} ms per registration.

| measure (ms) | requests | p50 | p90 | p99 | max | target |
|---|---|---|---|---|---|---|
${latencyRow(`heartbeat round trip, ${n(o.simulatedWorkers)} workers alone (${o.baselineSeconds} s)`, r.baseline.heartbeats, '—')}
${latencyRow('heartbeat round trip, under the full load', w.heartbeats, '—')}
${latencyRow('dispatch of a real backtest: start request → 202 running', w.dispatch, 'p99 < 50')}
${latencyRow('short backtest end to end: start request → completed', w.endToEnd, '—')}

Heartbeats in the window: ${n(w.heartbeatsSent)} sent, ${w.heartbeatsFailed} failed (an error status,
or no answer), ${w.heartbeatsLate} late (more than 1.5 s between two acknowledged heartbeats of one
worker: the point at which the backend starts probing it). The backend marked
${w.markedUnavailable} simulated workers \`temporarily_unavailable\` and removed ${w.removed}.
Backtests: ${w.backtestsCompleted} completed, ${w.backtestsFailed} did not${w.backtestProblems.length ? `:\n${w.backtestProblems.map((p) => `- ${p}`).join('\n')}\n` : '.'}

| backend process | CPU (mean, % of one core) | CPU (busiest second) | RSS (start → end of window) | RSS peak (VmHWM) |
|---|---|---|---|---|
${usageRow(`${n(o.simulatedWorkers)} heartbeating workers alone`, r.baseline.backend)}
${usageRow('the full load', w.backend)}

Five seconds after the window (heartbeats stopped, SSE clients gone) the backend's RSS was
${r.after.rssMiB.toFixed(0)} MiB.

Events delivered in the window (${w.sseSubscribersSeen} subscribers on the backend's
\`ktrdr_event_subscribers\` gauge, including the load process's own watcher;
${w.sseDisconnects} disconnects; ${(w.eventBytesPerClient / 1024 ** 2).toFixed(1)} MiB per client):

| event | per client | all clients |
|---|---|---|
${events}

Where the machine's CPU went during the window (% of one core; ${cpu.length} cores = ${cpu.length * 100} %):
the backend ${w.backend.cpuPercent.toFixed(0)} %, the ${o.realWorkers} worker processes ${w.workersCpuPercent.toFixed(0)} %, the load
process itself (simulator, heartbeats, SSE clients, backtest streams; event-loop delay p99
${ms(w.clientLoopDelayP99)} ms) ${w.clientCpuPercent.toFixed(0)} %, and other processes on this shared machine
${Math.max(0, w.othersCpuPercent).toFixed(0)} %: ${w.machineBusyPercent.toFixed(0)} % in all, 1-minute load average ${w.loadAverage.toFixed(1)}.
${contention(w.machineBusyPercent, cpu.length)}
`;
}

/** What the plans say: a full table scan or a sort is worth a line. */
function planVerdict(r: OperationsListLoad): string {
  const lines = r.queries.flatMap((q) => [...q.plan, ...q.countPlan].map((line) => ({ q, line })));
  const scans = lines.filter(({ line }) => /^SCAN operations$/.test(line));
  const sorts = [
    ...new Set(lines.filter(({ line }) => /TEMP B-TREE/.test(line)).map(({ q }) => q.name)),
  ];
  return [
    scans.length === 0
      ? 'Every query searches or walks an index; none reads the table in full.'
      : `A full table scan in: ${[...new Set(scans.map(({ q }) => q.name))].join(', ')}.`,
    sorts.length === 0
      ? 'None sorts.'
      : `A sort (a temporary B-tree) in: ${sorts.join(', ')}; it sorts only the rows the index found (for \`active_only\`, the active ones: \`status IN ('pending', 'running')\` is two index searches).`,
  ].join(' ');
}

function operationsSection(r: OperationsListLoad): string {
  const rows = r.queries
    .map(
      (q) =>
        `| ${q.name} | \`${q.query}\` | ${n(q.totalCount)} | ${ms(q.latency.p50)} | ${ms(q.latency.p99)} | ${q.plan.join('; ')} | ${q.countPlan.join('; ')} |`,
    )
    .join('\n');
  return `## The operations list over ${n(r.operations)} operations

${n(r.operations)} operations (85 % completed, 8 % failed, 5 % cancelled, 2 % pending backtests;
70 % backtesting, 20 % training, 5 % data_load, 5 % sweep; ${((r.databaseMiB * 1024) / r.operations).toFixed(1)} KiB a row, indexes included) written into a
closed backend's database through the backend's own \`OperationStore\`, in one transaction:
${r.seedSeconds.toFixed(1)} s (${n(r.operations / r.seedSeconds)} rows/s), ${r.databaseMiB.toFixed(0)} MiB. Then
\`ktrdr-backend\` (a process) started on that data dir in ${r.startSeconds.toFixed(2)} s (RSS
${r.backendRssMiB.toFixed(0)} MiB after the queries) and answered \`GET /api/v1/operations\`,
${r.queries[0]?.latency.n ?? 0} sequential requests per query after 10 warm-up ones (ms,
client round trip: the page query, its count, 50 operations as JSON).

| query | parameters | total_count | p50 | p99 | plan of the page | plan of the count |
|---|---|---|---|---|---|---|
${rows}

The plans are SQLite's \`EXPLAIN QUERY PLAN\` of the exact statements \`OperationStore.list\`
runs for each query (captured from it). ${planVerdict(r)} The index on
\`(operation_type, status, seq DESC)\` (migration 4) was added when this command showed the
type-and-status filter reading every row of the type to check its status: on 2026-11-28 its p50
went from 30 ms to 2.8 ms on 100,000 operations.
`;
}

console.log(
  `ktrdr load: ${seconds} s window, ${simulated} workers, ${sseClients} SSE clients, ${operations} operations`,
);
const parts: string[] = [];
if (!skipCluster) {
  console.log('cluster load…');
  const result = await clusterLoad({
    seconds,
    simulatedWorkers: simulated,
    sseClients,
    realWorkers: 2,
    baselineSeconds: 10,
  });
  console.log(JSON.stringify(result, null, 1));
  parts.push(clusterSection(result));
}
if (!skipOperations) {
  console.log('operations list…');
  const result = await operationsList(operations, samples);
  console.log(JSON.stringify(result, null, 1));
  parts.push(operationsSection(result));
}

const markdown = `# Load

Measured with \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.
A load test of its own (not part of \`npm test\`, CI or \`npm run bench\`); medians and
percentiles of one run on a shared ${cpu.length}-core machine. Re-run the command to refresh
this file. The other benchmarks are in [BENCHMARKS.md](BENCHMARKS.md).

${parts.join('\n')}`;

console.log(`\n${markdown}`);
if (skipCluster || skipOperations) {
  console.log('a partial run: docs/LOAD.md left as it was');
} else {
  const out = fileURLToPath(new URL('../../docs/LOAD.md', import.meta.url));
  writeFileSync(out, markdown);
  console.log(`written to ${out}`);
}
process.exit(0);
