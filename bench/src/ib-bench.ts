import { defaultBackendConfig, startBackend } from '@ktrdr/backend';
import { IB_PACING_RULES, loadIbHostConfig, Pacer, startIbHost } from '@ktrdr/ib-host';
import { BackendClient, type DataLoadResult } from '@ktrdr/shared';
import { tempDir, waitFor } from '@ktrdr/testkit';
import { startTwsSimulator } from '@ktrdr/testkit/tws-simulator';

const TOKEN = 'bench-token-0123456789abcdef';
const DAY = 86_400_000;

/** What {@link ibDownload} measured. */
export interface IbDownloadFigures {
  bars: number;
  chunks: number;
  wallSeconds: number;
  timings: DataLoadResult['timings'];
  /** The paced schedule of the same requests under IB's rules, computed, not waited for. */
  paced: { requests: number; totalWaitHours: number; finishesAfterHours: number };
}

/** The first `weekdays` weekdays from `from` (UTC midnight): the simulator serves no weekend bars. */
function weekdaysFrom(from: number, weekdays: number): number {
  let day = from;
  for (let n = 0; ; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && ++n === weekdays) return day;
  }
}

/**
 * Downloads `bars` 1-minute bars from the TWS simulator through the IB host service and the
 * backend (both in this process, pacing off: the simulator does not enforce it), and
 * reports the wall time and the store's share; then asks the pacer for the schedule the
 * same requests would follow against a real gateway.
 */
export async function ibDownload(bars = 1_000_000): Promise<IbDownloadFigures> {
  const dir = tempDir('ktrdr-bench-ib-');
  const sim = await startTwsSimulator({ seed: 5 });
  const ib = await startIbHost(
    loadIbHostConfig({
      KTRDR_CLUSTER_TOKEN: TOKEN,
      KTRDR_IB_HOST_PORT: '0',
      IB_GATEWAY_PORT: String(sim.port),
      KTRDR_IB_PACING: 'off',
      KTRDR_LOG_LEVEL: 'silent',
    }),
  );
  const backend = await startBackend({
    ...defaultBackendConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir: `${dir.path}/data`,
    clusterToken: TOKEN,
    logLevel: 'silent',
    useIbHostService: true,
    ibHostServiceUrl: ib.url,
  });
  try {
    const client = new BackendClient({ baseUrl: backend.url, token: TOKEN });
    await waitFor('IB connected', async () => (await client.ibStatus()).gateway?.connected, {
      timeoutMs: 20_000,
    });
    const start = Date.UTC(2022, 0, 3); // a Monday
    const last = weekdaysFrom(start, Math.ceil(bars / 1440));
    const began = performance.now();
    const { operation_id } = await client.startDataDownload({
      symbol: 'AAPL',
      timeframe: '1m',
      start_date: new Date(start).toISOString().slice(0, 10),
      end_date: new Date(last).toISOString().slice(0, 10),
    });
    const op = await waitFor(
      'download completed',
      async () => {
        const o = await client.getOperation(operation_id);
        return o.status === 'running' ? undefined : o;
      },
      { timeoutMs: 1_800_000, intervalMs: 200 },
    );
    const wallSeconds = (performance.now() - began) / 1000;
    if (op.status !== 'completed')
      throw new Error(`the download ${op.status}: ${op.error_message}`);
    const result = await client.getDataLoadResult(operation_id);
    // the same 1-day requests of one contract, as the pacer would space them at IB
    const pacer = new Pacer(IB_PACING_RULES, () => 0);
    const plan = pacer.plan(
      Array.from({ length: result.chunks }, (_, i) => ({
        contractKey: 'AAPL|TRADES',
        identityKey: `AAPL|TRADES|1 min|${i}|1 D`,
      })),
      { answerMs: 1000 },
    );
    return {
      bars: result.bars_downloaded,
      chunks: result.chunks,
      wallSeconds,
      timings: result.timings,
      paced: {
        requests: plan.requests.length,
        totalWaitHours: plan.total_wait_ms / 3_600_000,
        finishesAfterHours: plan.finishes_after_ms / 3_600_000,
      },
    };
  } finally {
    await backend.close();
    await ib.close();
    await sim.close();
    dir.remove();
  }
}
