/**
 * The browse page end to end: headless Debian Chromium (driven by playwright-core) against the real Node server,
 * holding a generated bucket, with API tokens configured. What the page shows is checked against the API's own
 * answers (asked here with the same token): bucket counts and bytes, each folder row's stats, the second page of a
 * folder of more than 1000 entries, search results, object details, the treemap's tiles. Screenshots go to
 * test-artifacts/ui/.
 *
 * Without /usr/bin/chromium (apt-get install chromium) the suite is skipped with a printed reason, except under
 * CI=true, where it fails (.ci/run installs it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { HttpServerHandle } from '../../src/http/node-server';
import { rng } from '../helpers/prng';
import { type AppHarness, appHarness, bearer, RO_TOKEN, RW_TOKEN, serveApp, TEST_TOKENS } from '../http/harness';
import { createdEvent } from '../http/index-fixture';

/*
 * The page's globals, as the functions this file hands to page.evaluate see them when they run in Chromium. This
 * program is type-checked without the DOM's types (they clash with Node's), so the few used are declared here, for
 * this module only; they compile to the bare names the page resolves.
 */
interface PageElement {
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
  readonly activeElement: { readonly id: string } | null;
};
declare const location: { hash: string };
declare const sessionStorage: { getItem(key: string): string | null };

const CHROMIUM = '/usr/bin/chromium';
/** The flags of the machine notes: no sandbox (root), no GPU, and no background traffic to a closed network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/ui');

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') throw new Error(`the browser tests are mandatory in CI: no ${CHROMIUM}`);
if (!hasChromium)
  console.warn(`SKIPPED test/ui: ${CHROMIUM} is missing (apt-get install chromium); CI=true makes it mandatory`);
const describeBrowser = hasChromium ? describe : describe.skip;

const BUCKET = 'browse-bucket';
const OTHER = 'other-bucket';

/** A few thousand keys over nested folders (UTF-8 names among them), sizes from a seeded PRNG. */
function generatedBucket(): Map<string, number> {
  const r = rng(2025);
  const keys = new Map<string, number>();
  const size = (): number => 1 + Math.floor(r() * 5_000_000);
  for (let i = 0; i < 1100; i++) keys.set(`big/obj-${String(i).padStart(4, '0')}.bin`, size());
  for (const year of ['2023', '2024'])
    for (let m = 1; m <= 12; m++)
      for (let i = 0; i < 40; i++) keys.set(`photos/${year}/${String(m).padStart(2, '0')}/IMG_${i}.jpg`, size());
  for (let i = 0; i < 60; i++) keys.set(`phone/backup-${i}.tar`, size());
  for (let i = 0; i < 30; i++) keys.set(`ph-notes/note ${i}.md`, size());
  for (let i = 0; i < 80; i++) keys.set(`données/été/résumé ${i}.pdf`, size());
  for (let i = 0; i < 50; i++) keys.set(`logs/app/${i}.log`, size());
  keys.set('docs/report 2024.pdf', 5_242_880);
  keys.set('readme.txt', 1234);
  return keys;
}

interface Folder {
  prefix: string;
  objects: number;
  bytes: number;
}

describeBrowser('the browse page in Chromium', () => {
  let h: AppHarness;
  let server: HttpServerHandle & { url: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const api = async <T>(target: string): Promise<T> => {
    const res = await fetch(`${server.url}${target}`, { headers: bearer(RO_TOKEN) });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const shot = (name: string, p: Page = page): Promise<Buffer> =>
    p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
  const hash = (p: Page = page): Promise<string> => p.evaluate(() => location.hash);
  /** The rows the list shows, as their data attributes. */
  const rows = (p: Page = page) =>
    p.$$eval('#list .row', (els) =>
      els.map((e) => ({
        kind: e.classList.contains('folder') ? 'folder' : e.classList.contains('object') ? 'object' : 'bucket',
        id: e.getAttribute('data-prefix') ?? e.getAttribute('data-key') ?? e.getAttribute('data-bucket'),
        objects: e.getAttribute('data-objects'),
        bytes: e.getAttribute('data-bytes'),
        objectsText: e.querySelector('.objects')?.textContent,
        bytesTitle: e.querySelector('.bytes')?.getAttribute('title'),
        selected: e.classList.contains('selected'),
      })),
    );
  const watch = (p: Page): void => {
    // a step that fails says which, well within jest's timeout
    p.setDefaultTimeout(10_000);
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
  };
  const enterToken = async (p: Page): Promise<void> => {
    await p.waitForSelector('#token-form');
    await p.fill('#token', RO_TOKEN);
    await p.press('#token', 'Enter');
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = appHarness({ tokens: TEST_TOKENS });
    const events = [...generatedBucket()].map(([key, size]) => createdEvent(BUCKET, key, { size }));
    events.push(createdEvent(OTHER, 'x/y.txt', { size: 77, versionId: 'v-1' }));
    for (let i = 0; i < events.length; i += 1000) {
      const res = await h.post('/v1/events', events.slice(i, i + 1000), bearer(RW_TOKEN));
      expect(res.status).toBe(200);
    }
    server = await serveApp(h);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch(page);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('asks for the token once, then lists the buckets with the API’s counts and bytes', async () => {
    await page.goto(`${server.url}/ui`);
    await enterToken(page);
    await page.waitForSelector('#list .row.bucket');
    await shot('buckets');
    const { buckets } = await api<{ buckets: Array<{ name: string; objects: number; bytes: number }> }>('/v1/buckets');
    const shown = await rows();
    expect(shown.map((r) => [r.id, Number(r.objects), Number(r.bytes)])).toEqual(
      buckets.map((b) => [b.name, b.objects, b.bytes]),
    );
    expect(shown.map((r) => r.objectsText)).toEqual(buckets.map((b) => b.objects.toLocaleString('en-US')));
    // the token is kept for the tab, never put in the URL
    expect(await page.evaluate(() => sessionStorage.getItem('s3-index.token'))).toBe(RO_TOKEN);
    expect(page.url()).not.toContain(RO_TOKEN);
  });

  test('enters folders by click and by keyboard; every folder row shows the API’s stats', async () => {
    await page.click(`#list .row.bucket[data-bucket="${BUCKET}"] a`);
    await page.waitForSelector('#list .row.folder');
    expect(await hash()).toBe(`#/${BUCKET}/`);
    const root = await api<{ folders: Folder[]; objects: Array<{ key: string }> }>(
      `/v1/buckets/${BUCKET}/folders?prefix=`,
    );
    const shown = await rows();
    expect(shown.filter((r) => r.kind === 'folder').map((r) => r.id)).toEqual(root.folders.map((f) => f.prefix));
    expect(shown.filter((r) => r.kind === 'object').map((r) => r.id)).toEqual(root.objects.map((o) => o.key));
    for (const r of shown.filter((x) => x.kind === 'folder')) {
      const stats = await api<{ objects: number; bytes: number }>(
        `/v1/buckets/${BUCKET}/stats?prefix=${encodeURIComponent(r.id!)}`,
      );
      expect([Number(r.objects), Number(r.bytes)]).toEqual([stats.objects, stats.bytes]);
      expect(r.objectsText).toBe(stats.objects.toLocaleString('en-US'));
      expect(r.bytesTitle).toBe(`${stats.bytes.toLocaleString('en-US')} bytes`);
    }
    const total = await api<{ objects: number; bytes: number }>(`/v1/buckets/${BUCKET}/stats`);
    expect(await page.getAttribute('.summary', 'data-bytes')).toBe(String(total.bytes));
    await page.waitForSelector('#treemap .tile');
    await shot('bucket-root');

    // by click, into a UTF-8 folder and its sub-folder
    await page.click('#list .row.folder[data-prefix="données/"] a');
    await page.waitForSelector('#list .row.folder[data-prefix="données/été/"]');
    expect(decodeURIComponent(await hash())).toBe(`#/${BUCKET}/données/`);
    expect(await page.$$eval('#crumbs a', (as) => as.map((a) => a.textContent))).toEqual([
      'buckets',
      BUCKET,
      'données',
    ]);

    // by keyboard: up with Backspace, move with j/k/arrows, in with Enter, up with Alt+Left
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => location.hash === '#/browse-bucket/');
    // the root's own rows (the hash changes before the page's hashchange handler replaces the previous folder's
    // list, whose first row is selected too): a selected top-level folder
    await page.waitForSelector('#list .row.folder.selected[data-prefix="big/"]');
    const names = (await rows()).map((r) => r.id);
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('k');
    expect((await rows()).findIndex((r) => r.selected)).toBe(1);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (p) => location.hash === `#/browse-bucket/${p}`,
      `${encodeURIComponent(names[1]!.slice(0, -1))}/`,
    );
    // that folder's own rows, not the root's still shown
    await page.waitForFunction(
      (p) => [...document.querySelectorAll('#list .row')].some((r) => r.getAttribute('data-key')?.startsWith(p)),
      names[1]!,
    );
    await page.keyboard.press('Alt+ArrowLeft');
    await page.waitForFunction(() => location.hash === '#/browse-bucket/');
    // back and forward follow the history
    await page.goBack();
    await page.waitForFunction(
      (p) => location.hash === `#/browse-bucket/${p}`,
      `${encodeURIComponent(names[1]!.slice(0, -1))}/`,
    );
    await page.goForward();
    await page.waitForFunction(() => location.hash === '#/browse-bucket/');
  });

  test('scrolls a folder of 1100 objects: the second page comes through the continuation token', async () => {
    await page.evaluate(() => {
      location.hash = '#/browse-bucket/big/';
    });
    await page.waitForSelector('#list .row.object');
    const first = await api<{ objects: Array<{ key: string }>; nextContinuationToken: string }>(
      `/v1/buckets/${BUCKET}/folders?prefix=big/`,
    );
    expect(first.objects).toHaveLength(1000);
    expect((await rows()).length).toBe(1000);
    await page.locator('#sentinel').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('#list .row').length === 1100);
    const second = await api<{ objects: Array<{ key: string }> }>(
      `/v1/buckets/${BUCKET}/folders?prefix=big/&continuation-token=${encodeURIComponent(first.nextContinuationToken)}`,
    );
    expect((await rows()).slice(1000).map((r) => r.id)).toEqual(second.objects.map((o) => o.key));
    await shot('scrolled');
  });

  test('searches a prefix as you type; a slow stale answer never wins', async () => {
    await page.evaluate(() => {
      location.hash = '#/browse-bucket/';
    });
    await page.waitForSelector('#list .row.folder[data-prefix="photos/"]');
    // the listing for "p" is held back 1.5 s; "ph" answers at once
    let held = 0;
    await page.route(
      (url) => url.pathname.endsWith('/folders') && url.searchParams.get('prefix') === 'p',
      async (route) => {
        held++;
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue().catch(() => {});
      },
    );
    const aborted: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.url().includes('/folders')) aborted.push(new URL(r.url()).searchParams.get('prefix') ?? '');
    });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('p');
    await page.waitForTimeout(400); // past the debounce: the request for "p" is out
    expect(held).toBe(1);
    await page.keyboard.type('h');
    const expected = await api<{ folders: Folder[] }>(`/v1/buckets/${BUCKET}/folders?prefix=ph`);
    expect(expected.folders.map((f) => f.prefix)).toEqual(['ph-notes/', 'phone/', 'photos/']);
    const want = expected.folders.map((f) => f.prefix).join(',');
    const shownIds = () => rows().then((rs) => rs.map((r) => r.id).join(','));
    await page.waitForFunction(
      (w) => [...document.querySelectorAll('#list .row')].map((e) => e.getAttribute('data-prefix')).join(',') === w,
      want,
    );
    await page.waitForTimeout(1700); // the held answer would have come by now
    expect(await shownIds()).toBe(want);
    expect(aborted).toContain('p');
    await page.unroute(() => true);
    // the share of each result is of the folder searched in (the bucket's root)
    const root = await api<{ bytes: number }>(`/v1/buckets/${BUCKET}/stats`);
    const photos = expected.folders.find((f) => f.prefix === 'photos/')!;
    expect(await page.textContent('#list .row[data-prefix="photos/"] .pct')).toBe(
      `${((100 * photos.bytes) / root.bytes).toFixed(1)} %`,
    );
    await shot('search');
    await page.fill('#search', '');
    await page.waitForSelector('#list .row[data-prefix="big/"]');
  });

  test('shows an object’s details as the API has them', async () => {
    await page.evaluate(() => {
      location.hash = '#/browse-bucket/docs/';
    });
    await page.click('#list .row.object[data-key="docs/report 2024.pdf"] .name');
    await page.waitForSelector('#details [data-field="etag"]');
    const o = await api<Record<string, unknown>>(`/v1/buckets/${BUCKET}/objects/docs/report%202024.pdf`);
    const shown = await page.$$eval('#details dd', (dds) =>
      Object.fromEntries(dds.map((d) => [d.getAttribute('data-field'), d.getAttribute('data-value')])),
    );
    expect(shown).toEqual({
      key: o.key,
      size: String(o.size),
      etag: o.etag ?? '',
      lastModified: o.lastModified,
      storageClass: o.storageClass,
      versionId: o.versionId ?? '',
    });
    expect(await page.textContent('#details [data-field="size"]')).toBe('5.00 MiB (5,242,880 bytes)');
    await shot('details');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#details')).toBe(true);
    // a version id, by keyboard: Enter on the selected object
    await page.evaluate(() => {
      location.hash = '#/other-bucket/x/';
    });
    await page.waitForSelector('#list .row.object.selected');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#details [data-field="versionId"]');
    expect(await page.getAttribute('#details [data-field="versionId"]', 'data-value')).toBe('v-1');
  });

  test('draws one treemap tile per largest sub-folder, titled with its name and size', async () => {
    await page.evaluate(() => {
      location.hash = '#/browse-bucket/photos/2024/';
    });
    await page.waitForSelector('#treemap .tile');
    const usage = await api<{ folders: Folder[]; bytes: number }>(`/v1/buckets/${BUCKET}/usage?prefix=photos/2024/`);
    expect(usage.folders).toHaveLength(12);
    const tiles = await page.$$eval('#treemap .tile', (ts) =>
      ts.map((t) => {
        const r = t.getBoundingClientRect();
        return {
          prefix: t.getAttribute('data-prefix'),
          bytes: t.getAttribute('data-bytes'),
          title: t.getAttribute('title') ?? '',
          area: r.width * r.height,
        };
      }),
    );
    expect(tiles.map((t) => [t.prefix, Number(t.bytes)])).toEqual(usage.folders.map((f) => [f.prefix, f.bytes]));
    for (const [i, t] of tiles.entries()) {
      const f = usage.folders[i]!;
      expect(t.title.startsWith(`${f.prefix.slice('photos/2024/'.length)} — `)).toBe(true);
      expect(t.title).toContain(`${f.objects.toLocaleString('en-US')} objects`);
    }
    // areas follow bytes
    const totalArea = tiles.reduce((s, t) => s + t.area, 0);
    const totalBytes = usage.folders.reduce((s, f) => s + f.bytes, 0);
    for (const [i, t] of tiles.entries())
      expect(t.area / totalArea).toBeCloseTo(usage.folders[i]!.bytes / totalBytes, 2);
    await shot('treemap');
    // a click on a tile enters its folder
    await page.click(`#treemap .tile[data-prefix="${usage.folders[0]!.prefix}"]`);
    await page.waitForFunction(
      (p) => decodeURIComponent(location.hash) === `#/browse-bucket/${p}`,
      usage.folders[0]!.prefix,
    );
  });

  test('is readable on a phone: 375 px wide, no horizontal overflow', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      watch(p);
      const noOverflow = async (): Promise<void> => {
        const w = await p.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        expect(w.client).toBe(375);
        expect(w.scroll).toBeLessThanOrEqual(w.client);
      };
      await p.goto(`${server.url}/ui#/${BUCKET}/`);
      await enterToken(p);
      await p.waitForSelector('#list .row.folder');
      await p.waitForSelector('#treemap .tile');
      await noOverflow();
      await shot('phone-root', p);
      await p.click('#list .row.folder[data-prefix="données/"] a');
      await p.click('#list .row.folder[data-prefix="données/été/"] a');
      await p.waitForSelector('#list .row.object');
      await noOverflow();
      await shot('phone-folder', p);
      await p.click('#list .row.object .name');
      await p.waitForSelector('#details [data-field="key"]');
      await noOverflow();
      await shot('phone-details', p);
    } finally {
      await phone.close();
    }
  });

  test('works with no token when the server has none configured; nothing broke on the way', async () => {
    const open = appHarness();
    await open.post('/v1/events', createdEvent('open-bucket', 'a/b.txt', { size: 5 }));
    const openServer = await serveApp(open);
    const p = await context.newPage();
    try {
      await p.goto(`${openServer.url}/ui`);
      await p.waitForSelector('#list .row.bucket[data-bucket="open-bucket"]');
      expect(await p.$('#token-form')).toBeNull();
    } finally {
      await p.close();
      await openServer.close();
    }
    expect(problems).toEqual([]);
  });
});
