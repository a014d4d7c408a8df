/**
 * `npm run bench:ui` (issue 25): how fast the browse page shows a 1M-object bucket. The server is the app and Node
 * adapter `s3-index serve` uses, on a loopback port, holding N generated objects (bench/data/genkeys.mjs, seed 42,
 * as the HTTP benchmark); Debian's Chromium (headless, driven by playwright-core, the flags of test/ui) opens
 * /ui#/bench-bucket/<folder> in a fresh browser context each run (no HTTP cache, a new sessionStorage; the token is
 * put there before the page loads, as the token form would), and reports, from navigation start:
 *   - first contentful paint (the performance API's `first-contentful-paint`);
 *   - the first folder row shown (a MutationObserver in the page notes when `#list .row` first appears);
 *   - the treemap drawn (the first `#treemap .tile`);
 * for the bucket's root (4 folders), a deep folder (logs/api/2024/05/: ~31 day folders) and a wide one (users/:
 * 50,000 sub-folders, so /folders answers 1000 folders with their stats and /usage scans all 50,000). Medians of
 * RUNS runs after one warm-up, and the API calls behind them timed alone from Node (the server's response cache off,
 * so each is computed).
 *
 *   npm run bench:ui                 # N=1000000 RUNS=5
 *   node dist/ui-bench.js [N] [RUNS]
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { systemClock } from '../../src/engine/clock';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import { startHttpServer } from '../../src/http/node-server';
import { createEngine } from '../../src/service/create-engine';
import { S3Index } from '../../src/service/s3-index';
import { BUCKET, load } from '../http/runs';

/*
 * The page's globals, as the functions handed to the page see them when they run in Chromium (this program is
 * type-checked without the DOM's types, which clash with Node's): declared for this module only.
 */
declare const document: { querySelector(selector: string): object | null };
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const window: object;
declare class MutationObserver {
  constructor(callback: (records: unknown, observer: MutationObserver) => void);
  observe(target: object, options: { childList: boolean; subtree: boolean }): void;
  disconnect(): void;
}

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'bench-token-0123456789abcdef';
const FOLDERS = ['', 'logs/api/2024/05/', 'users/'];

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** Notes when the first row and the first treemap tile appear (installed before the page's own script runs). */
function observeFirstRow(): void {
  const w = window as unknown as { __firstRow?: number; __firstTile?: number };
  new MutationObserver((_, observer) => {
    if (w.__firstRow === undefined && document.querySelector('#list .row:not(.head)') !== null)
      w.__firstRow = performance.now();
    if (w.__firstTile === undefined && document.querySelector('#treemap .tile') !== null)
      w.__firstTile = performance.now();
    if (w.__firstRow !== undefined && w.__firstTile !== undefined) observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const t0 = performance.now();
  const engine = createEngine();
  const index = new S3Index(engine);
  const { loaded } = load(index, N);
  console.log(`loaded ${loaded} objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const config = httpConfig({ tokens: [{ kind: 'ro', token: TOKEN }], limits: { responseCacheBytes: 0 } });
  const app = createApp({ engine, index, clock: systemClock, config });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    console.log(`\nChromium ${browser.version()}, ${N.toLocaleString('en-US')} objects, medians of ${RUNS} runs`);
    console.log('folder                 | FCP     | first row | treemap  | /folders | /stats  | /usage');
    for (const folder of FOLDERS) {
      const fcp: number[] = [];
      const row: number[] = [];
      const tile: number[] = [];
      for (let run = 0; run <= RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context.addInitScript((token) => sessionStorage.setItem('s3-index.token', token), TOKEN);
        await context.addInitScript(observeFirstRow);
        const page = await context.newPage();
        await page.goto(`${base}/ui#/${BUCKET}/${folder.split('/').map(encodeURIComponent).join('/')}`);
        await page.waitForFunction(
          () => {
            const w = window as unknown as { __firstRow?: number; __firstTile?: number };
            return w.__firstRow !== undefined && w.__firstTile !== undefined;
          },
          undefined,
          { timeout: 60_000 },
        );
        const m = await page.evaluate(() => {
          const w = window as unknown as { __firstRow: number; __firstTile: number };
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          return { fcp: paint?.startTime ?? Number.NaN, row: w.__firstRow, tile: w.__firstTile };
        });
        await context.close();
        if (run === 0) continue; // warm-up: the server's and the browser's first run
        fcp.push(m.fcp);
        row.push(m.row);
        tile.push(m.tile);
      }
      const api = async (path: string): Promise<number> => {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const s = performance.now();
          const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`${path}: ${res.status}`);
          times.push(performance.now() - s);
        }
        return median(times);
      };
      const q = encodeURIComponent(folder);
      const folders = await api(`/v1/buckets/${BUCKET}/folders?prefix=${q}&delimiter=/&max-keys=1000`);
      const stats = await api(`/v1/buckets/${BUCKET}/stats?prefix=${q}`);
      const usage = await api(`/v1/buckets/${BUCKET}/usage?prefix=${q}&delimiter=/&top=50`);
      console.log(
        `${(folder || '(root)').padEnd(22)} | ${ms(median(fcp)).padEnd(7)} | ${ms(median(row)).padEnd(9)} | ` +
          `${ms(median(tile)).padEnd(8)} | ${ms(folders).padEnd(8)} | ${ms(stats).padEnd(7)} | ${ms(usage)}`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
