import { chromium, type Page } from '@playwright/test';
import { BackendClient, initialProgress } from '@ktrdr/shared';
import { HarnessWorker } from '@ktrdr/testkit';
import { BenchCluster } from './cluster.js';
import { ProcessCluster } from './process-cluster.js';

/** What the UI did while many operations streamed progress. */
export interface UiSmoothness {
  operations: number;
  reportsPerSecond: number;
  seconds: number;
  framesPerSecond: number;
  longestFrameMs: number;
  progressUpdatesSeen: number;
}

/**
 * The Operations view with `count` running operations whose (harness) workers each post a
 * progress report every `intervalMs`: frames per second and the longest frame, measured
 * in the page with requestAnimationFrame, in Debian's Chromium.
 */
export async function uiSmoothness(
  count: number,
  intervalMs: number,
  seconds: number,
): Promise<UiSmoothness> {
  const cluster = await new BenchCluster().start();
  const harnesses: HarnessWorker[] = [];
  const browser = await chromium.launch({
    executablePath: process.env.KTRDR_E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    for (let i = 0; i < count; i++) {
      const harness = new HarnessWorker(
        new BackendClient({ baseUrl: cluster.backend.url, token: cluster.token }),
        { workerId: `ui-bench-${i}` },
      );
      await harness.start();
      harnesses.push(harness);
    }
    for (let i = 0; i < count; i++)
      await cluster.client.startBacktest({
        strategy_name: 'sma_crossover',
        start_date: '2019-01-01',
      });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${cluster.backend.url}/#token=${cluster.token}`);
    await page.waitForSelector('html[data-app-state="ready"]');
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid="operation-row"][data-status="running"]').length >=
        n,
      count,
    );

    let stop = false;
    let sent = 0;
    const pump = (async () => {
      let step = 0;
      while (!stop) {
        step++;
        const started = Date.now();
        await Promise.all(
          harnesses.map((h) =>
            h
              .report({
                status: 'running',
                progress: {
                  ...initialProgress('streaming'),
                  items_processed: step,
                  items_total: 1_000_000,
                  percentage: (step / 10) % 100,
                },
              })
              .then(() => sent++)
              .catch(() => undefined),
          ),
        );
        await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
      }
    })();
    const measured = await page.evaluate(async (ms) => {
      const bars = () =>
        Array.from(document.querySelectorAll('[role="progressbar"]'), (b) =>
          b.getAttribute('aria-valuenow'),
        ).join();
      let frames = 0;
      let longest = 0;
      let last = performance.now();
      let updates = 0;
      let previous = bars();
      const end = last + ms;
      await new Promise<void>((resolve) => {
        const frame = (now: number) => {
          frames++;
          longest = Math.max(longest, now - last);
          last = now;
          if (frames % 10 === 0) {
            const current = bars();
            if (current !== previous) updates++;
            previous = current;
          }
          if (now < end) requestAnimationFrame(frame);
          else resolve();
        };
        requestAnimationFrame(frame);
      });
      return { frames, longest, updates };
    }, seconds * 1000);
    stop = true;
    await pump;
    return {
      operations: count,
      reportsPerSecond: sent / seconds,
      seconds,
      framesPerSecond: measured.frames / seconds,
      longestFrameMs: measured.longest,
      progressUpdatesSeen: measured.updates,
    };
  } finally {
    await browser.close();
    await Promise.all(harnesses.map((h) => h.close()));
    await cluster.close();
  }
}

/** Navigation start → `data-app-state="ready"` of the web UI (the desktop app's renderer). */
export interface UiReady {
  loads: number;
  /** A fresh browser context per load: no cache, the token exchanged for a session cookie. */
  coldMs: number[];
  /** The same context reloaded: assets from the cache, the session cookie in place. */
  warmMs: number[];
  /** DOMContentLoaded of the cold loads, for comparison. */
  coldDomContentLoadedMs: number[];
}

/** Records, in the page's own clock (0 = navigation start), when the app says it is ready. */
const READY_PROBE = `(() => {
  const mark = () => {
    if (!window.__ktrdrReadyAt && document.documentElement?.dataset.appState === 'ready')
      window.__ktrdrReadyAt = performance.now();
  };
  new MutationObserver(mark).observe(document, {
    attributes: true,
    attributeFilter: ['data-app-state'],
    subtree: true,
  });
})();`;

/**
 * Time to ready of the web UI served by a `ktrdr-backend` process (two workers registered,
 * 20 finished backtests in the list), in Debian's Chromium: `loads` cold loads (each in a
 * fresh context) and `loads` warm reloads, after one warm-up load.
 */
export async function uiTimeToReady(loads = 7): Promise<UiReady> {
  const cluster = await new ProcessCluster().start();
  const browser = await chromium.launch({
    executablePath: process.env.KTRDR_E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    await cluster.addWorkers(2);
    for (let i = 0; i < 20; i++) {
      const { operation_id } = await cluster.client.startBacktest({
        strategy_name: 'sma_crossover',
        start_date: '2019-01-01',
      });
      await cluster.waitForOperation(operation_id, (o) => o.status === 'completed');
    }
    const readyAt = async (page: Page) => {
      await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
      return page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as
          PerformanceNavigationTiming | undefined;
        return {
          ready: (window as unknown as { __ktrdrReadyAt: number }).__ktrdrReadyAt,
          dcl: nav?.domContentLoadedEventEnd ?? Number.NaN,
        };
      });
    };
    const result: UiReady = { loads, coldMs: [], warmMs: [], coldDomContentLoadedMs: [] };
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript(READY_PROBE);
      const page = await context.newPage();
      await page.goto(`${cluster.url}/#token=${cluster.token}`);
      const cold = await readyAt(page);
      // wait for the token exchange to finish (the fragment is cleared) before reloading
      await page.waitForFunction(() => !location.hash.includes('token='));
      await page.goto(`${cluster.url}/`);
      const warm = await readyAt(page);
      await context.close();
      if (i === 0) continue; // warm-up: the browser's and the backend's first load
      result.coldMs.push(cold.ready);
      result.coldDomContentLoadedMs.push(cold.dcl);
      result.warmMs.push(warm.ready);
    }
    return result;
  } finally {
    await browser.close();
    await cluster.close();
  }
}
