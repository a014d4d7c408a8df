/**
 * Folder views of a bucket for the browse page (/ui), as JSON: a delimiter listing whose common prefixes carry their
 * stats, and the usage of a prefix split by its sub-folders.
 *
 *   GET /v1/buckets/{bucket}/folders?prefix=&delimiter=/&max-keys=1000&continuation-token=
 *       {"bucket","prefix","delimiter","folders":[{"prefix","objects","bytes"}],"objects":[…as /objects…],
 *        "isTruncated","nextContinuationToken"}
 *   GET /v1/buckets/{bucket}/usage?prefix=&delimiter=/&top=50
 *       {"bucket","prefix","objects","bytes","direct":{"objects","bytes"},"folderCount","truncated",
 *        "folders":[the `top` largest sub-folders: {"prefix","objects","bytes"}]}
 *
 * Both are built from ObjectIndex.listObjectsV2 and stats only, so they answer the same on every backend (the bundled
 * engine and RedisIndex). Costs: /folders is one listing page plus one stats call per folder of the page (asked at
 * once); /usage pages through every sub-folder of the prefix (up to USAGE_SCAN_CAP of them) with one stats call each.
 */
import type { Context, Hono } from 'hono';
import type { ListPage, PageBounds } from '../index/list';
import type { ObjectIndex } from '../service/object-index';
import type { HttpLimits } from './config';
import type { AppEnv } from './context';
import { unwrap } from './index-answers';
import { pageRange, rangeText } from './index-versions';
import { objectJson } from './json-list-render';
import { checkText, invalidArgument, parseMaxKeys, pathBucket } from './params';

export interface FolderDeps {
  index: ObjectIndex;
  limits: HttpLimits;
}

/**
 * Listing entries (objects directly in the prefix, and sub-folders) /usage looks at, at most: beyond it the answer
 * says `truncated` and its `direct`, `folderCount` and `folders` cover the first ones. Bounds the work of one request
 * (a prefix holding millions of objects directly would otherwise be listed whole).
 */
export const USAGE_SCAN_CAP = 100_000;
/** Sub-folders listed per page while /usage scans them. */
const USAGE_PAGE = 1000;
const TOP_DEFAULT = 50;
const TOP_MAX = 1000;

export interface FolderFigures {
  readonly prefix: string;
  readonly objects: number;
  readonly bytes: number;
}

/** A folder view needs a delimiter: '/' when not given, and never empty. */
function folderDelimiter(q: URLSearchParams): string {
  const d = checkText('delimiter', q.get('delimiter')) ?? '/';
  if (d === '') throw invalidArgument('delimiter must not be empty');
  return d;
}

/** The stats of each of `prefixes`, asked at once. */
async function folderFigures(
  index: ObjectIndex,
  bucket: string,
  prefixes: readonly string[],
): Promise<FolderFigures[]> {
  return Promise.all(
    prefixes.map(async (prefix) => {
      const s = unwrap(await index.stats(bucket, prefix));
      return { prefix, objects: s.objects, bytes: s.bytes };
    }),
  );
}

const json = (c: Context<AppEnv>, text: string): Response => {
  c.set('cacheBody', Buffer.from(text, 'utf8'));
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
};

function foldersJson(page: ListPage, delimiter: string, folders: readonly FolderFigures[]): string {
  return (
    `{"bucket":${JSON.stringify(page.bucket)},"prefix":${JSON.stringify(page.prefix)},` +
    `"delimiter":${JSON.stringify(delimiter)},"folders":${JSON.stringify(folders)},` +
    `"objects":[${page.contents.map(objectJson).join(',')}],"isTruncated":${page.isTruncated},` +
    `"nextContinuationToken":${JSON.stringify(page.nextContinuationToken ?? null)}}`
  );
}

export interface Usage {
  bucket: string;
  prefix: string;
  objects: number;
  bytes: number;
  direct: { objects: number; bytes: number };
  folderCount: number;
  truncated: boolean;
  folders: FolderFigures[];
}

/**
 * The usage of `prefix`: its totals (stats of the prefix, always exact), what lies directly in it, and its `top`
 * largest sub-folders by bytes (ties in listing order, the byte order of their prefixes). When its listing has more
 * than `scanCap` entries (objects directly in it and sub-folders), `direct`, `folderCount` and `folders` are of the
 * first `scanCap` and `truncated` is true.
 */
export async function prefixUsage(
  index: ObjectIndex,
  bucket: string,
  prefix: string,
  delimiter: string,
  top: number,
  scanCap = USAGE_SCAN_CAP,
): Promise<Usage> {
  const all: FolderFigures[] = [];
  const direct = { objects: 0, bytes: 0 };
  let token: string | undefined;
  let truncated = false;
  for (;;) {
    const maxKeys = Math.min(USAGE_PAGE, scanCap - all.length - direct.objects);
    const page = unwrap(await index.listObjectsV2(bucket, { prefix, delimiter, maxKeys, continuationToken: token }));
    for (const o of page.contents) {
      direct.objects++;
      direct.bytes += o.size;
    }
    all.push(...(await folderFigures(index, bucket, page.commonPrefixes)));
    if (!page.isTruncated || page.nextContinuationToken === undefined) break;
    if (all.length + direct.objects >= scanCap) {
      truncated = true;
      break;
    }
    token = page.nextContinuationToken;
  }
  const totals = unwrap(await index.stats(bucket, prefix));
  // a stable sort: equal sizes keep the listing's order
  const folders = all.sort((a, b) => b.bytes - a.bytes).slice(0, top);
  return { bucket, prefix, ...totals, direct, folderCount: all.length, truncated, folders };
}

export function mountFolders(app: Hono<AppEnv>, deps: FolderDeps): void {
  const { index, limits } = deps;

  app.get('/v1/buckets/:bucket/folders', async (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const q = url.searchParams;
    const prefix = checkText('prefix', q.get('prefix')) ?? '';
    const delimiter = folderDelimiter(q);
    const maxKeys = parseMaxKeys(q.get('max-keys'), 1000, limits.maxListKeys, false);
    const continuationToken = q.get('continuation-token') ?? undefined;
    const bounds: PageBounds = {};
    const page = unwrap(
      await index.listObjectsV2(
        bucket,
        { prefix, delimiter, maxKeys, continuationToken },
        { maxKeysCap: limits.maxListKeys },
        bounds,
      ),
    );
    const folders = await folderFigures(index, bucket, page.commonPrefixes);
    // the keys of the page's folders lie within the page's range: from its start to the key past its end
    c.set('cacheRange', pageRange(prefix, bounds));
    return json(c, foldersJson(page, delimiter, folders));
  });

  app.get('/v1/buckets/:bucket/usage', async (c) => {
    const url = new URL(c.req.url);
    const bucket = pathBucket(url.pathname, 3);
    const q = url.searchParams;
    const prefix = checkText('prefix', q.get('prefix')) ?? '';
    const delimiter = folderDelimiter(q);
    const topText = q.get('top');
    if (topText !== null && !/^\d{1,4}$/.test(topText)) throw invalidArgument(`top must be between 0 and ${TOP_MAX}`);
    const top = topText === null ? TOP_DEFAULT : Number(topText);
    if (top > TOP_MAX) throw invalidArgument(`top must be between 0 and ${TOP_MAX}`);
    const usage = await prefixUsage(index, bucket, prefix, delimiter, top);
    c.set('cacheRange', { prefix: rangeText(prefix) });
    return json(c, JSON.stringify(usage));
  });
}
