import { ProcessCluster } from './process-cluster.js';
import { median, rssMiB } from './proc-stats.js';

/** Idle resident memory in MiB (median over runs of the median of a few samples). */
export interface IdleRss {
  runs: number;
  backend: number;
  backtestWorker: number;
  trainingWorker: number;
  /** The training worker's TensorFlow.js backend. */
  trainingBackend: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Idle RSS from /proc/<pid>/status of a fresh `ktrdr-backend` process with one backtest
 * and one training worker process registered: after start-up, `settleMs` of idling (the
 * workers heartbeat; V8 collects the start-up garbage), then 5 samples a second apart.
 */
export async function idleRss(runs = 5, settleMs = 8000): Promise<IdleRss> {
  const backend: number[] = [];
  const backtest: number[] = [];
  const training: number[] = [];
  let trainingBackend = 'unknown';
  for (let i = 0; i < runs; i++) {
    const cluster = await new ProcessCluster().start();
    try {
      const [bt] = await cluster.addWorkers(1);
      const [tr] = await cluster.addWorkers(1, {}, 'training');
      const info = await cluster.client.getWorker(tr!.workerId);
      trainingBackend = info.capabilities.training_backend ?? 'unknown';
      await sleep(settleMs);
      const samples = { b: [] as number[], w: [] as number[], t: [] as number[] };
      for (let s = 0; s < 5; s++) {
        samples.b.push(rssMiB(cluster.backend.child.pid!).rss);
        samples.w.push(rssMiB(bt!.child.pid!).rss);
        samples.t.push(rssMiB(tr!.child.pid!).rss);
        await sleep(1000);
      }
      backend.push(median(samples.b));
      backtest.push(median(samples.w));
      training.push(median(samples.t));
    } finally {
      await cluster.close();
    }
  }
  return {
    runs,
    backend: median(backend),
    backtestWorker: median(backtest),
    trainingWorker: median(training),
    trainingBackend,
  };
}
