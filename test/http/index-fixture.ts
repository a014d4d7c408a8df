/**
 * Test data for the index routes: EventBridge "Object Created" events, a key set with the awkward cases (unicode
 * incl. astral characters, '+', spaces, XML metacharacters, doubled and trailing slashes), and a naive
 * ListObjectsV2 reference model written straight from shared/reference/list-objects-v2.md.
 */

let seq = 0x1000;

export interface CreatedOptions {
  size?: number;
  etag?: string;
  time?: string;
  versionId?: string;
}

export function createdEvent(bucket: string, key: string, opts: CreatedOptions = {}): Record<string, unknown> {
  seq++;
  const object: Record<string, unknown> = {
    key,
    size: opts.size ?? key.length,
    etag: opts.etag ?? seq.toString(16).padStart(32, '0'),
    sequencer: seq.toString(16).toUpperCase().padStart(18, '0'),
  };
  if (opts.versionId !== undefined) object['version-id'] = opts.versionId;
  return {
    version: '0',
    id: `id-${seq}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: opts.time ?? '2024-05-01T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object, reason: 'PutObject' },
  };
}

/** An Object Deleted event: a permanent deletion, or (with `marker`) the creation of a delete marker with that id. */
export function deletedEvent(bucket: string, key: string, marker?: string): Record<string, unknown> {
  seq++;
  const object: Record<string, unknown> = { key, sequencer: seq.toString(16).toUpperCase().padStart(18, '0') };
  if (marker !== undefined) object['version-id'] = marker;
  return {
    version: '0',
    id: `id-${seq}`,
    'detail-type': 'Object Deleted',
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-05-02T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object,
      'deletion-type': marker === undefined ? 'Permanently Deleted' : 'Delete Marker Created',
      reason: 'DeleteObject',
    },
  };
}

/** Keys that exercise encoding and byte ordering. */
export const AWKWARD_KEYS = [
  'a.txt',
  'a/b/c.txt',
  'a/b/d.txt',
  'a/b+c/x.txt',
  'a/b c/y.txt',
  'a/b%20c/z.txt',
  'a/b/',
  'a//double.txt',
  'a/é/e.txt',
  'a/e\u0301/combining.txt',
  'a/日本/語.txt',
  'a/😀/emoji.txt',
  'a/\uFFFD/replacement.txt',
  'a/\uFF5E/fullwidth-tilde.txt',
  'a/&<>"\'/xml.txt',
  'a/q?x=1#frag.txt',
  'b+plus',
  'b plus space',
  'b~tilde',
  'c/d/e/f/g.txt',
  'c/d/e/h.txt',
  'c/x',
  'dir/',
  'dir/file',
  'z',
  '~last',
  '€euro',
];

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export const sortKeys = (keys: readonly string[]): string[] => [...keys].sort(utf8Compare);

export interface ModelQuery {
  prefix?: string;
  delimiter?: string;
  maxKeys?: number;
  /** exclusive lower bound: start-after, or the last item of the previous page */
  after?: string;
}

export interface ModelPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** the last key or prefix returned: where the next page resumes */
  last?: string;
}

/** ListObjectsV2 by brute force over a sorted key list. */
export function modelList(sortedKeys: readonly string[], q: ModelQuery): ModelPage {
  const prefix = q.prefix ?? '';
  const maxKeys = q.maxKeys ?? 1000;
  const items: Array<{ key?: string; cp?: string }> = [];
  for (const key of sortedKeys) {
    if (!key.startsWith(prefix)) continue;
    if (q.after !== undefined && utf8Compare(key, q.after) <= 0) continue;
    let cp: string | undefined;
    if (q.delimiter) {
      const i = key.indexOf(q.delimiter, prefix.length);
      if (i >= 0) cp = key.slice(0, i + q.delimiter.length);
    }
    if (cp !== undefined) {
      if (q.after !== undefined && utf8Compare(cp, q.after) <= 0) continue;
      if (items.length > 0 && items[items.length - 1]!.cp === cp) continue;
      items.push({ cp });
    } else items.push({ key });
    if (items.length > maxKeys) break;
  }
  const isTruncated = maxKeys > 0 && items.length > maxKeys;
  const page = items.slice(0, maxKeys);
  const lastItem = page[page.length - 1];
  return {
    keys: page.flatMap((i) => (i.key !== undefined ? [i.key] : [])),
    commonPrefixes: page.flatMap((i) => (i.cp !== undefined ? [i.cp] : [])),
    isTruncated,
    last: lastItem ? (lastItem.key ?? lastItem.cp) : undefined,
  };
}

/** Every page of a full listing by the model. */
export function modelListAll(sortedKeys: readonly string[], q: ModelQuery): ModelPage[] {
  const pages: ModelPage[] = [];
  let after = q.after;
  for (;;) {
    const p = modelList(sortedKeys, { ...q, after });
    pages.push(p);
    if (!p.isTruncated) return pages;
    after = p.last;
  }
}
