import { chromium } from '@playwright/test';
import { BackendClient, initialProgress } from '@ktrdr/shared';
import { HarnessWorker } from '@ktrdr/testkit';
import { BenchCluster } from './cluster.js';

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
