/**
 * The browse page's state and behaviour: which view is shown (the bucket list or a folder), the list's rows and the
 * selection, the prefix search, infinite scroll, the details panel, the treemap, the keyboard.
 *
 * Requests: each view owns an AbortController (a navigation aborts everything of the view before), and each listing
 * (a search, the pages after it) one more with a generation number: a new search aborts the previous one, and an
 * answer whose generation is no longer current is dropped, so a slow stale answer never replaces a newer one.
 */
import {
  ApiError,
  apiGet,
  type BucketSummary,
  bucketsPath,
  type FoldersPage,
  foldersPath,
  isAbort,
  type ObjectRow,
  objectPath,
  type Stats,
  statsPath,
  storedToken,
  storeToken,
  Unauthorized,
  type Usage,
  usagePath,
} from './api';
import { byId, el } from './dom';
import { parentPrefix, parseHash, type Route, routeHash } from './routes';
import {
  breadcrumbs,
  bucketRow,
  detailsPanel,
  folderRow,
  listHeader,
  message,
  objectRow,
  type Row,
  summary,
  tokenForm,
  treemapTiles,
} from './views';

/** Rows per listing page (the API's default page). */
const PAGE_SIZE = 1000;
/** Sub-folders in the treemap. */
const TREEMAP_TOP = 50;
const SEARCH_DEBOUNCE_MS = 150;

interface FolderView {
  readonly kind: 'folder';
  readonly bucket: string;
  readonly prefix: string;
  /** the folder's bytes, for the rows' shares */
  parentBytes: number;
  /** settles once the folder's figures came and its (empty) list is shown */
  shown: Promise<unknown>;
  usage?: Usage;
}

interface BucketsView {
  readonly kind: 'buckets';
  buckets?: BucketSummary[];
}

export class BrowseApp {
  private readonly main = byId('main');
  private readonly crumbs = byId('crumbs');
  private readonly search = byId<HTMLInputElement>('search');
  private readonly forget = byId<HTMLButtonElement>('forget');
  private readonly details = byId('details');

  private view: FolderView | BucketsView | undefined;
  private viewAbort = new AbortController();
  private listAbort = new AbortController();
  private listGeneration = 0;
  private list: HTMLElement | undefined;
  private sentinel: HTMLElement | undefined;
  private treemap: HTMLElement | undefined;
  private rows: Row[] = [];
  private selected = -1;
  private nextToken: string | undefined;
  private loadingMore = false;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) void this.loadMore();
  });
  private readonly resize = new ResizeObserver(() => this.drawTreemap());
  private lastTreemapWidth = 0;

  start(): void {
    window.addEventListener('hashchange', () => this.route());
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.search.addEventListener('input', () => this.onSearchInput());
    this.forget.addEventListener('click', () => {
      storeToken(null);
      this.route();
    });
    this.route();
  }

  /** Shows what the URL hash names; everything of the previous view is aborted. */
  route(): void {
    const route = parseHash(location.hash);
    this.viewAbort.abort();
    this.viewAbort = new AbortController();
    this.closeDetails();
    this.search.value = '';
    this.forget.hidden = storedToken() === null;
    this.crumbs.replaceChildren(...breadcrumbs(route.bucket, route.prefix));
    document.title = route.bucket === undefined ? 's3-index · buckets' : `${route.bucket}/${route.prefix} · s3-index`;
    if (route.bucket === undefined) void this.showBuckets();
    else void this.showFolder(route.bucket, route.prefix);
  }

  private go(route: Route): void {
    const hash = routeHash(route);
    if (location.hash === hash) this.route();
    else location.hash = hash;
  }

  // --- views ------------------------------------------------------------------------------------------------

  private resetList(header: HTMLElement, before: HTMLElement[] = []): void {
    this.rows = [];
    this.selected = -1;
    this.nextToken = undefined;
    this.loadingMore = false;
    this.observer.disconnect();
    this.resize.disconnect();
    this.treemap = undefined;
    this.list = el('div', { class: 'list', attrs: { id: 'list', role: 'listbox', 'aria-label': 'Contents' } });
    this.sentinel = el('div', { class: 'sentinel', attrs: { id: 'sentinel', 'aria-hidden': 'true' } });
    this.main.replaceChildren(...before, header, this.list, this.sentinel);
  }

  private async showBuckets(): Promise<void> {
    const view: BucketsView = { kind: 'buckets' };
    this.view = view;
    this.search.placeholder = 'Filter buckets by prefix ( / )';
    this.main.replaceChildren(message('Loading…'));
    const signal = this.viewAbort.signal;
    await this.guard(async () => {
      const { buckets } = await apiGet<{ buckets: BucketSummary[] }>(bucketsPath(), signal);
      if (this.view !== view) return;
      view.buckets = buckets;
      this.renderBuckets();
    });
  }

  private renderBuckets(): void {
    const view = this.view;
    if (view?.kind !== 'buckets' || view.buckets === undefined) return;
    const all = view.buckets;
    const filter = this.search.value;
    const total = all.reduce((s, b) => s + b.bytes, 0);
    const objects = all.reduce((s, b) => s + b.objects, 0);
    this.resetList(listHeader('Bucket', 'Objects'), [summary({ objects, bytes: total })]);
    const shown = all.filter((b) => b.name.startsWith(filter));
    this.appendRows(shown.map((b) => bucketRow(b, total)));
    if (shown.length === 0) this.list!.append(message(all.length === 0 ? 'No bucket is indexed yet.' : 'No match.'));
  }

  private async showFolder(bucket: string, prefix: string): Promise<void> {
    const signal = this.viewAbort.signal;
    // the three requests at once: the rows wait for the folder's bytes (their shares), the treemap for its usage
    const stats = apiGet<Stats>(statsPath(bucket, prefix), signal);
    // a search typed meanwhile shows its rows after these: its reaction to `stats` comes after the one below
    const view: FolderView = { kind: 'folder', bucket, prefix, parentBytes: 0, shown: stats.catch(() => {}) };
    this.view = view;
    this.search.placeholder = 'Filter this folder by prefix ( / )';
    const listing = this.startListing();
    const first = apiGet<FoldersPage>(foldersPath(bucket, prefix, PAGE_SIZE), listing.signal);
    const usage = apiGet<Usage>(usagePath(bucket, prefix, TREEMAP_TOP), signal);
    // each is awaited below; these only keep a failure that is not awaited (after another one) from being reported
    for (const p of [first, usage]) p.catch(() => {});
    const head = el('div', { class: 'folder-head' }, message('Loading…'));
    this.treemap = undefined;
    this.main.replaceChildren(head);
    await this.guard(async () => {
      const totals = await stats;
      if (this.view !== view) return;
      view.parentBytes = totals.bytes;
      const treemap = el('div', { class: 'treemap', attrs: { id: 'treemap', 'aria-label': 'Largest sub-folders' } });
      head.replaceChildren(summary(totals));
      this.resetList(listHeader('Name', 'Objects'), [head, treemap]);
      this.treemap = treemap;
      this.resize.observe(treemap);
      void this.guard(async () => {
        const u = await usage;
        if (this.view !== view) return;
        view.usage = u;
        head.replaceChildren(summary(u, u));
        this.lastTreemapWidth = 0;
        this.drawTreemap();
      }, treemap);
      this.showFirstPage(view, listing.generation, await first);
    });
  }

  /** A new listing of the current folder: the previous one (a search, its pages) is aborted and its answers dropped. */
  private startListing(): { generation: number; signal: AbortSignal } {
    this.listAbort.abort();
    this.listAbort = new AbortController();
    const generation = ++this.listGeneration;
    return { generation, signal: AbortSignal.any([this.listAbort.signal, this.viewAbort.signal]) };
  }

  private showFirstPage(view: FolderView, generation: number, page: FoldersPage): void {
    if (generation !== this.listGeneration || this.view !== view) return;
    this.resetListRows();
    this.appendPage(view, page);
    if (this.rows.length === 0)
      this.list!.append(message(this.search.value === '' ? 'This folder is empty.' : 'No match.'));
    else if (this.selected < 0) this.select(0, false);
  }

  /** Lists the current folder afresh from its first page, under the folder's prefix and the search text. */
  private async loadListing(): Promise<void> {
    const view = this.view;
    if (view?.kind !== 'folder') return;
    const listing = this.startListing();
    await this.guard(async () => {
      const listed = view.prefix + this.search.value;
      const page = await apiGet<FoldersPage>(foldersPath(view.bucket, listed, PAGE_SIZE), listing.signal);
      await view.shown;
      this.showFirstPage(view, listing.generation, page);
    });
  }

  /** The next page of the current listing, when the end of the list comes into view. */
  private async loadMore(): Promise<void> {
    const view = this.view;
    const token = this.nextToken;
    if (view?.kind !== 'folder' || token === undefined || this.loadingMore) return;
    this.loadingMore = true;
    const generation = this.listGeneration;
    const signal = AbortSignal.any([this.listAbort.signal, this.viewAbort.signal]);
    this.sentinel?.classList.add('loading');
    try {
      await this.guard(async () => {
        const listed = view.prefix + this.search.value;
        const page = await apiGet<FoldersPage>(foldersPath(view.bucket, listed, PAGE_SIZE, token), signal);
        if (generation !== this.listGeneration || this.view !== view) return;
        this.appendPage(view, page);
      });
    } finally {
      if (generation === this.listGeneration) {
        this.loadingMore = false;
        this.sentinel?.classList.remove('loading');
      }
    }
  }

  private resetListRows(): void {
    this.rows = [];
    this.selected = -1;
    this.nextToken = undefined;
    this.loadingMore = false;
    this.list?.replaceChildren();
  }

  private appendPage(view: FolderView, page: FoldersPage): void {
    const rows = [
      ...page.folders.map((f) => folderRow(view.bucket, view.prefix, f, view.parentBytes)),
      ...page.objects.map((o) => objectRow(view.bucket, view.prefix, o, view.parentBytes)),
    ];
    this.appendRows(rows);
    this.nextToken = page.isTruncated && page.nextContinuationToken !== null ? page.nextContinuationToken : undefined;
    // observed afresh: the observer then reports whether the end is (still) in view
    this.observer.disconnect();
    if (this.nextToken !== undefined && this.sentinel !== undefined) this.observer.observe(this.sentinel);
  }

  private appendRows(rows: Row[]): void {
    const fragment = document.createDocumentFragment();
    for (const row of rows) {
      const index = this.rows.length;
      this.rows.push(row);
      row.element.addEventListener('click', (e) => {
        this.select(index, false);
        if (row.target.kind === 'object') {
          e.preventDefault();
          void this.openObject(row.target.bucket, row.target.key);
        }
      });
      fragment.append(row.element);
    }
    this.list?.append(fragment);
    this.list?.setAttribute('data-rows', String(this.rows.length));
  }

  // --- treemap, details ----------------------------------------------------------------------------------------

  private drawTreemap(): void {
    const view = this.view;
    const box = this.treemap;
    if (view?.kind !== 'folder' || box === undefined || view.usage === undefined) return;
    const width = box.clientWidth;
    if (width === this.lastTreemapWidth) return;
    this.lastTreemapWidth = width;
    const tiles = treemapTiles(view.bucket, view.usage, width, box.clientHeight);
    box.replaceChildren(...tiles);
    box.classList.toggle('empty', tiles.length === 0);
  }

  private async openObject(bucket: string, key: string): Promise<void> {
    const signal = this.viewAbort.signal;
    this.details.hidden = false;
    this.details.replaceChildren(message('Loading…'));
    await this.guard(async () => {
      const o = await apiGet<ObjectRow>(objectPath(bucket, key), signal);
      this.details.replaceChildren(detailsPanel(o, () => this.closeDetails()));
      document.body.classList.add('with-details');
    }, this.details);
  }

  private closeDetails(): void {
    this.details.hidden = true;
    this.details.replaceChildren();
    document.body.classList.remove('with-details');
  }

  // --- selection, keyboard, search ----------------------------------------------------------------------------

  private select(index: number, scroll = true): void {
    if (this.rows.length === 0) return;
    const i = Math.max(0, Math.min(this.rows.length - 1, index));
    const before = this.rows[this.selected];
    if (before !== undefined) {
      before.element.classList.remove('selected');
      before.element.setAttribute('aria-selected', 'false');
    }
    this.selected = i;
    const row = this.rows[i]!;
    row.element.classList.add('selected');
    row.element.setAttribute('aria-selected', 'true');
    if (scroll) row.element.scrollIntoView({ block: 'nearest' });
  }

  private open(row: Row | undefined): void {
    if (row === undefined) return;
    const t = row.target;
    if (t.kind === 'bucket') this.go({ bucket: t.bucket, prefix: '' });
    else if (t.kind === 'folder') this.go({ bucket: t.bucket, prefix: t.prefix });
    else void this.openObject(t.bucket, t.key);
  }

  private up(): void {
    const view = this.view;
    if (view?.kind !== 'folder') return;
    const parent = parentPrefix(view.prefix);
    this.go(parent === undefined ? { prefix: '' } : { bucket: view.bucket, prefix: parent });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement | null;
    const inSearch = target === this.search;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
    if (inSearch) {
      if (e.key === 'Escape' || e.key === 'ArrowDown' || e.key === 'Enter') {
        e.preventDefault();
        this.search.blur();
        if (e.key === 'Enter') this.open(this.rows[this.selected]);
        else if (e.key === 'ArrowDown') this.select(Math.max(this.selected, 0));
      }
      return;
    }
    if (typing) return;
    if (e.altKey) {
      if (e.key === 'ArrowLeft') {
        e.preventDefault();
        this.up();
      }
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        e.preventDefault();
        this.select(this.selected + 1);
        break;
      case 'ArrowUp':
      case 'k':
        e.preventDefault();
        this.select(this.selected - 1);
        break;
      case 'Home':
        e.preventDefault();
        this.select(0);
        break;
      case 'End':
        e.preventDefault();
        this.select(this.rows.length - 1);
        break;
      case 'Enter':
        // a focused link or button opens by itself
        if (target instanceof HTMLAnchorElement || target instanceof HTMLButtonElement) return;
        e.preventDefault();
        this.open(this.rows[this.selected]);
        break;
      case 'Backspace':
        e.preventDefault();
        this.up();
        break;
      case '/':
        e.preventDefault();
        this.search.focus();
        this.search.select();
        break;
      case 'Escape':
        this.closeDetails();
        break;
    }
  }

  private onSearchInput(): void {
    clearTimeout(this.searchTimer);
    if (this.view?.kind === 'buckets') {
      this.renderBuckets();
      return;
    }
    this.searchTimer = setTimeout(() => void this.loadListing(), SEARCH_DEBOUNCE_MS);
  }

  // --- errors ---------------------------------------------------------------------------------------------------

  /** Runs `work`, showing what went wrong in `where` (the main area by default); aborts are not failures. */
  private async guard(work: () => Promise<void>, where: HTMLElement = this.main): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isAbort(err)) return;
      if (err instanceof Unauthorized) {
        this.viewAbort.abort();
        const refused = storedToken() !== null;
        this.closeDetails();
        this.main.replaceChildren(
          tokenForm(refused, (token) => {
            storeToken(token);
            this.route();
          }),
        );
        return;
      }
      const text =
        err instanceof ApiError
          ? err.code === 'NoSuchBucket'
            ? 'This bucket is not indexed.'
            : `${err.message} (${err.code})`
          : `The server could not be reached: ${(err as Error).message}`;
      where.replaceChildren(message(text, 'error'));
      if (where === this.details) this.details.hidden = false;
    }
  }
}
