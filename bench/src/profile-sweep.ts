/**
 * Profiles the backend and the workers through one sweep (`node bench/dist/profile-sweep.js
 * <sets> <dir>`): each process writes a .cpuprofile into <dir> when it exits.
 */
import { ProcessCluster } from './process-cluster.js';
import { benchSpace } from './shard-sweep-bench.js';

const sets = Number(process.argv[2] ?? 10_000);
const dir = process.argv[3] ?? '/tmp/ktrdr-prof';
const prof = { KTRDR_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}` };
const cluster = await new ProcessCluster({ ...prof, KTRDR_SWEEP_MAX_SETS: String(sets) }).start();
await cluster.addWorkers(2, prof);
const started = await cluster.client.startSweep({
  strategy_name: 'sma_crossover',
  start_date: '2018-09-01',
  parameters: benchSpace(sets),
});
await cluster.waitForOperation(
  started.operation_id,
  (op) => op.status === 'completed',
  600_000,
  50,
);
for (const worker of cluster.workers) await worker.stop('SIGTERM');
await cluster.stopBackend('SIGTERM');
console.log(`profiles in ${dir}`);
