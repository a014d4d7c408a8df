/** The page's pieces, built from API answers (no state here: browse.ts decides what is shown when). */
import type { BucketSummary, FolderFigures, ObjectRow, Usage } from './api';
import { el } from './dom';
import { formatBytes, formatCount, formatDate, formatShare, sharePercent } from './format';
import { crumbs, routeHash } from './routes';
import { squarify } from './treemap';

/** What a row of the list opens. */
export type RowTarget =
  | { kind: 'bucket'; bucket: string }
  | { kind: 'folder'; bucket: string; prefix: string }
  | { kind: 'object'; bucket: string; key: string };

export interface Row {
  readonly element: HTMLElement;
  readonly target: RowTarget;
}

const bytesTitle = (bytes: number): string => `${formatCount(bytes)} bytes`;
const counted = (n: number, noun: string): string => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;

function shareCell(part: number, whole: number): HTMLElement {
  const fill = el('span', { class: 'fill' });
  // CSSOM, not a style attribute: the page's CSP allows no inline styles
  fill.style.width = `${sharePercent(part, whole).toFixed(2)}%`;
  return el(
    'span',
    { class: 'share', attrs: { 'aria-label': `${formatShare(part, whole)} of the folder` } },
    el('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, fill),
    el('span', { class: 'pct', text: formatShare(part, whole) }),
  );
}

function rowElement(kind: string, attrs: Record<string, string>, ...cells: HTMLElement[]): HTMLElement {
  return el('div', { class: `row ${kind}`, attrs: { role: 'option', 'aria-selected': 'false', ...attrs } }, ...cells);
}

export function listHeader(first: string, second: string): HTMLElement {
  return el(
    'div',
    { class: 'row head', attrs: { 'aria-hidden': 'true' } },
    el('span', { class: 'name', text: first }),
    el('span', { class: 'objects', text: second }),
    el('span', { class: 'bytes', text: 'Size' }),
    el('span', { class: 'share', text: 'Share' }),
  );
}

export function bucketRow(b: BucketSummary, totalBytes: number): Row {
  const element = rowElement(
    'bucket',
    { 'data-bucket': b.name, 'data-objects': String(b.objects), 'data-bytes': String(b.bytes) },
    el('a', { class: 'name', text: b.name, href: routeHash({ bucket: b.name, prefix: '' }) }),
    el('span', { class: 'objects', text: formatCount(b.objects) }),
    el('span', { class: 'bytes', text: formatBytes(b.bytes), title: bytesTitle(b.bytes) }),
    shareCell(b.bytes, totalBytes),
  );
  return { element, target: { kind: 'bucket', bucket: b.name } };
}

/** A sub-folder of `parent`: its name below the parent, its figures, and its share of the parent's bytes. */
export function folderRow(bucket: string, parent: string, f: FolderFigures, parentBytes: number): Row {
  const element = rowElement(
    'folder',
    { 'data-prefix': f.prefix, 'data-objects': String(f.objects), 'data-bytes': String(f.bytes) },
    el('a', { class: 'name', text: f.prefix.slice(parent.length), href: routeHash({ bucket, prefix: f.prefix }) }),
    el('span', { class: 'objects', text: formatCount(f.objects) }),
    el('span', { class: 'bytes', text: formatBytes(f.bytes), title: bytesTitle(f.bytes) }),
    shareCell(f.bytes, parentBytes),
  );
  return { element, target: { kind: 'folder', bucket, prefix: f.prefix } };
}

export function objectRow(bucket: string, parent: string, o: ObjectRow, parentBytes: number): Row {
  const element = rowElement(
    'object',
    { 'data-key': o.key, 'data-bytes': String(o.size) },
    el('button', { class: 'name', text: o.key.slice(parent.length), attrs: { type: 'button' } }),
    el('span', { class: 'objects', text: o.lastModified.slice(0, 10), title: formatDate(o.lastModified) }),
    el('span', { class: 'bytes', text: formatBytes(o.size), title: bytesTitle(o.size) }),
    shareCell(o.size, parentBytes),
  );
  return { element, target: { kind: 'object', bucket, key: o.key } };
}

export function breadcrumbs(bucket: string | undefined, prefix: string): HTMLElement[] {
  const out: HTMLElement[] = [el('a', { text: 'buckets', href: routeHash({ prefix: '' }) })];
  if (bucket === undefined) return out;
  out.push(el('a', { text: bucket, href: routeHash({ bucket, prefix: '' }) }));
  for (const c of crumbs(prefix)) out.push(el('a', { text: c.name, href: routeHash({ bucket, prefix: c.prefix }) }));
  out[out.length - 1]!.setAttribute('aria-current', 'page');
  return out;
}

/** The figures of the current folder (from stats; `usage` adds how they split, once it has come). */
export function summary(totals: { objects: number; bytes: number }, usage?: Usage): HTMLElement {
  const parts = [counted(totals.objects, 'object'), formatBytes(totals.bytes)];
  if (usage !== undefined) {
    parts.push(`${usage.truncated ? 'more than ' : ''}${counted(usage.folderCount, 'folder')}`);
    parts.push(`${counted(usage.direct.objects, 'object')} directly here`);
  }
  return el('p', {
    class: 'summary',
    text: parts.join(' · '),
    title: bytesTitle(totals.bytes),
    attrs: { 'data-objects': String(totals.objects), 'data-bytes': String(totals.bytes) },
  });
}

/** Tiles of the largest sub-folders, sized by bytes, in a `width` × `height` box; each opens its folder. */
export function treemapTiles(bucket: string, usage: Usage, width: number, height: number): HTMLElement[] {
  const tiles = squarify(usage.folders, (f) => f.bytes, width, height);
  return tiles.map((t, i) => {
    const name = t.item.prefix.slice(usage.prefix.length);
    const title = `${name} — ${formatBytes(t.item.bytes)}, ${counted(t.item.objects, 'object')}, ${formatShare(t.item.bytes, usage.bytes)}`;
    const tile = el('a', {
      class: `tile c${i % 8}`,
      href: routeHash({ bucket, prefix: t.item.prefix }),
      title,
      attrs: { 'data-prefix': t.item.prefix, 'data-bytes': String(t.item.bytes), 'aria-label': title },
    });
    tile.style.left = `${t.x}px`;
    tile.style.top = `${t.y}px`;
    tile.style.width = `${Math.max(0, t.w)}px`;
    tile.style.height = `${Math.max(0, t.h)}px`;
    if (t.w >= 56 && t.h >= 34) {
      tile.append(
        el('span', { class: 'label', text: name }),
        el('span', { class: 'size', text: formatBytes(t.item.bytes) }),
      );
    } else if (t.w >= 40 && t.h >= 18) {
      tile.append(el('span', { class: 'label', text: name }));
    }
    return tile;
  });
}

export function detailsPanel(o: ObjectRow, onClose: () => void): HTMLElement {
  const field = (label: string, name: string, value: string, shown: string = value): HTMLElement[] => [
    el('dt', { text: label }),
    el('dd', { text: shown, attrs: { 'data-field': name, 'data-value': value } }),
  ];
  const close = el('button', {
    class: 'close',
    text: 'Close',
    attrs: { type: 'button', 'aria-label': 'Close details' },
  });
  close.addEventListener('click', onClose);
  return el(
    'div',
    { class: 'details-body' },
    el('div', { class: 'details-head' }, el('h2', { text: 'Object' }), close),
    el(
      'dl',
      {},
      ...field('Key', 'key', o.key),
      ...field('Size', 'size', String(o.size), `${formatBytes(o.size)} (${bytesTitle(o.size)})`),
      ...field('ETag', 'etag', o.etag ?? '', o.etag ?? '—'),
      ...field('Last modified', 'lastModified', o.lastModified, formatDate(o.lastModified)),
      ...field('Storage class', 'storageClass', o.storageClass),
      ...field('Version', 'versionId', o.versionId ?? '', o.versionId ?? '— (unversioned)'),
    ),
  );
}

/** Asks for an API token; `refused`: the one kept was not accepted. */
export function tokenForm(refused: boolean, onToken: (token: string) => void): HTMLElement {
  const input = el('input', {
    attrs: {
      id: 'token',
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      required: '',
      spellcheck: 'false',
    },
  });
  const form = el(
    'form',
    { class: 'token-form', attrs: { id: 'token-form' } },
    el('h2', { text: refused ? 'That token was not accepted' : 'An API token is needed' }),
    el('label', { attrs: { for: 'token' }, text: 'API token (S3_INDEX_API_TOKENS)' }),
    input,
    el('button', { text: 'Open', attrs: { type: 'submit' } }),
    el('p', { class: 'hint', text: 'Kept in this tab only (session storage), sent as a bearer token to this server.' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (token !== '') onToken(token);
  });
  queueMicrotask(() => input.focus());
  return form;
}

export function message(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return el('p', { class: `message ${kind}`, text, attrs: { role: kind === 'error' ? 'alert' : 'status' } });
}
