/**
 * Renderer benchmark (issue 6) in Debian Chromium, against the test double of the contract served by the real
 * browser-mode server, so only the UI is measured:
 *  - time to first groups view (navigation start → every group card with its cover painted) for a 20,000-photo
 *    library, with a 60-photo library measured in the same run as the baseline;
 *  - frame times while scrolling a 20,000-photo gallery at a steady speed (pages fetched as they come into view),
 *    against the frame cadence of the same page sitting idle, measured in the same run.
 * Usage: npm run bench -- renderer [--photos 20000] [--seconds 6]
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { startServer } from '../core/server/server.js';
import { CHROMIUM_ARGS } from '../e2e/playwright.config.js';
import globalSetup, { RENDERER_DIST } from '../e2e/globalSetup.js';
import { contractDouble } from '../e2e/support/contractDouble.js';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function firstGroupsView(page: Page, launchUrl: string, groups: number): Promise<number> {
  await page.goto(launchUrl); // swaps the token for the session cookie
  await page.goto('about:blank');
  const origin = new URL(launchUrl).origin;
  await page.goto(`${origin}/#/library/1/groups`);
  // Checked every frame inside the page (waitForFunction would need eval, which our CSP forbids).
  return page.evaluate(
    (n) =>
      new Promise<number>((resolve, reject) => {
        const give = setTimeout(() => reject(new Error('groups view did not appear within 60 s')), 60_000);
        const check = () => {
          const imgs = [...document.querySelectorAll<HTMLImageElement>('.group-card .mosaic img')];
          if (document.querySelectorAll('.group-card').length === n && imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0)) {
            clearTimeout(give);
            resolve(performance.now());
          } else requestAnimationFrame(check);
        };
        check();
      }),
    groups,
  );
}

/** Frame-to-frame times (ms) over `seconds`, scrolling the gallery by `pxPerFrame` each frame (0 = idle). */
async function frameTimes(page: Page, seconds: number, pxPerFrame: number): Promise<number[]> {
  return page.evaluate(
    ({ seconds, pxPerFrame }) =>
      new Promise<number[]>((resolve) => {
        const grid = document.querySelector<HTMLElement>('[role="grid"]')!;
        const deltas: number[] = [];
        let busyMs = 0;
        const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => (busyMs += e.duration)));
        observer.observe({ type: 'longtask' });
        let last = performance.now();
        const end = last + seconds * 1000;
        const tick = (now: number) => {
          deltas.push(now - last);
          last = now;
          if (pxPerFrame) {
            grid.scrollTop += pxPerFrame;
            if (grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1) grid.scrollTop = 0;
          }
          if (now < end) requestAnimationFrame(tick);
          else {
            observer.disconnect();
            (window as unknown as { __longTaskMs: number }).__longTaskMs = busyMs;
            resolve(deltas.slice(1));
          }
        };
        requestAnimationFrame(tick);
      }),
    { seconds, pxPerFrame },
  );
}

export async function run(args: string[]): Promise<object> {
  const photos = arg(args, 'photos', 20_000);
  const seconds = arg(args, 'seconds', 6);
  globalSetup();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    // A fresh browser context per server: each launch has its own token and session cookie.
    let context: BrowserContext | null = null;
    const newPage = async () => {
      await context?.close();
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      // tsx keeps function names with an `__name` helper that functions sent to the page would not find.
      await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      return context.newPage();
    };
    let page = await newPage();

    const small = contractDouble({ perClass: 20 });
    const smallServer = await startServer({ api: small.api, media: small.media, staticDir: RENDERER_DIST });
    const baselineMs = [];
    for (let i = 0; i < 3; i++) baselineMs.push(await firstGroupsView(page, smallServer.launchUrl, 3));
    await smallServer.close();

    const big = contractDouble({ perClass: Math.ceil(photos / 3) });
    const bigServer = await startServer({ api: big.api, media: big.media, staticDir: RENDERER_DIST });
    page = await newPage();
    const bigMs = [];
    for (let i = 0; i < 3; i++) bigMs.push(await firstGroupsView(page, bigServer.launchUrl, 3));

    // The 20,000-photo gallery: one group holding every photo.
    const one = contractDouble({ perClass: photos, classes: ['airplane'] });
    const oneServer = await startServer({ api: one.api, media: one.media, staticDir: RENDERER_DIST });
    page = await newPage();
    await page.goto(oneServer.launchUrl);
    await page.goto(`${new URL(oneServer.launchUrl).origin}/#/library/1/group/1`);
    await page.waitForSelector('[role="gridcell"] img');
    const idle = await frameTimes(page, seconds, 0);
    const idleLongTaskMs = await page.evaluate(() => (window as unknown as { __longTaskMs: number }).__longTaskMs);
    const scrolling = await frameTimes(page, seconds, 40);
    const longTaskMs = await page.evaluate(() => (window as unknown as { __longTaskMs: number }).__longTaskMs);
    const scrolledRows = await page.evaluate(() => document.querySelector<HTMLElement>('[role="grid"]')!.scrollTop);
    await bigServer.close();
    await oneServer.close();

    const median = (xs: number[]) => quantile(xs, 0.5);
    return {
      photos,
      firstGroupsView: {
        ms20k: bigMs.map(round),
        ms60: baselineMs.map(round),
        medianMs: round(median(bigMs)),
        baselineMedianMs: round(median(baselineMs)),
        ratioToBaseline: round(median(bigMs) / median(baselineMs)),
        targetMs: 1000,
      },
      galleryScroll: {
        pxPerFrame: 40,
        frames: scrolling.length,
        p50Ms: round(quantile(scrolling, 0.5)),
        p95Ms: round(quantile(scrolling, 0.95)),
        maxMs: round(Math.max(...scrolling)),
        idleP50Ms: round(quantile(idle, 0.5)),
        idleP95Ms: round(quantile(idle, 0.95)),
        p95RatioToIdle: round(quantile(scrolling, 0.95) / quantile(idle, 0.95)),
        finalScrollTopPx: scrolledRows,
        /** Main-thread time in tasks over 50 ms during the run: script and layout, not raster. */
        longTaskMs: round(longTaskMs),
        idleLongTaskMs: round(idleLongTaskMs),
        targetP95Ms: 16,
      },
    };
  } finally {
    await browser.close();
  }
}
