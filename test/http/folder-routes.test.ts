/**
 * /v1/buckets/{bucket}/folders and /usage (src/http/folder-routes.ts) against a model computed here by brute force
 * over the generated keys (index-fixture.ts's ListObjectsV2 model, sums over the keys): every page through the
 * continuation tokens, UTF-8 keys, a delimiter other than '/', the order of the largest sub-folders, parameter
 * errors, an unknown bucket, and the response cache following changes. (The same routes over RedisIndex:
 * redis-index-app.test.ts.)
 */
import { prefixUsage } from '../../src/http/folder-routes';
import { S3Index } from '../../src/service/s3-index';
import { rng } from '../helpers/prng';
import { type AppHarness, appHarness } from './harness';
import { createdEvent, deletedEvent, modelListAll, sortKeys } from './index-fixture';

const BUCKET = 'folders-bucket';
const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const SEED = 25;

interface FolderFigures {
  prefix: string;
  objects: number;
  bytes: number;
}
interface FoldersPage {
  bucket: string;
  prefix: string;
  delimiter: string;
  folders: FolderFigures[];
  objects: Array<{ key: string; size: number; etag: string | null; lastModified: string; storageClass: string }>;
  isTruncated: boolean;
  nextContinuationToken: string | null;
}
interface Usage {
  bucket: string;
  prefix: string;
  objects: number;
  bytes: number;
  direct: { objects: number; bytes: number };
  folderCount: number;
  truncated: boolean;
  folders: FolderFigures[];
}

/** Keys over nested folders with UTF-8 names, and a few with '-' to split on; sizes from the same PRNG. */
function generate(seed: number, n: number): Map<string, number> {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const top = ['logs', 'photos', 'données', '日本語', 'a b', 'z'];
  const mid = ['2024', '2025', 'été', '🙂', 'x-y', 'q'];
  const keys = new Map<string, number>();
  while (keys.size < n) {
    const depth = Math.floor(r() * 4);
    const parts = [pick(top), pick(mid), pick(mid)].slice(0, depth);
    parts.push(`file-${Math.floor(r() * 500)}.bin`);
    keys.set(parts.join('/'), Math.floor(r() * 100_000));
  }
  return keys;
}

const statsOf = (keys: Map<string, number>, prefix: string): { objects: number; bytes: number } => {
  let objects = 0;
  let bytes = 0;
  for (const [k, size] of keys)
    if (k.startsWith(prefix)) {
      objects++;
      bytes += size;
    }
  return { objects, bytes };
};

async function seeded(keys: Map<string, number>): Promise<AppHarness> {
  const h = appHarness();
  const events = [...keys].map(([key, size]) => createdEvent(BUCKET, key, { size }));
  for (let i = 0; i < events.length; i += 500) {
    const res = await h.post('/v1/events', events.slice(i, i + 500));
    expect(res.status).toBe(200);
  }
  return h;
}

async function getJson<T>(h: AppHarness, path: string, status = 200): Promise<T> {
  const res = await h.request(path);
  const body = await res.json();
  if (res.status !== status) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/** Every page of /folders, following the tokens. */
async function allPages(h: AppHarness, params: Record<string, string>): Promise<FoldersPage[]> {
  const pages: FoldersPage[] = [];
  let token: string | null = null;
  do {
    const extra: Record<string, string> = token === null ? {} : { 'continuation-token': token };
    const page: FoldersPage = await getJson<FoldersPage>(
      h,
      `/v1/buckets/${BUCKET}/folders?${q({ ...params, ...extra })}`,
    );
    pages.push(page);
    token = page.nextContinuationToken;
    expect(page.isTruncated).toBe(token !== null);
  } while (token !== null && pages.length < 1000);
  return pages;
}

describe('GET /v1/buckets/{bucket}/folders', () => {
  const keys = generate(SEED, 600);
  const sorted = sortKeys([...keys.keys()]);
  let h: AppHarness;
  beforeAll(async () => {
    h = await seeded(keys);
  });

  it.each<[string, { prefix: string; delimiter?: string }, number | undefined]>([
    ['the root, one page', { prefix: '' }, undefined],
    ['a UTF-8 folder, pages of 3', { prefix: 'données/' }, 3],
    ['a prefix that is no folder, pages of 2', { prefix: '日本語/é' }, 2],
    ['"-" as the delimiter, pages of 5', { prefix: 'logs/', delimiter: '-' }, 5],
    ['every key (a delimiter found nowhere), pages of 97', { prefix: '', delimiter: '|' }, 97],
  ])('%s: the listing and each folder’s stats', async (_, query, maxKeys) => {
    const delimiter = query.delimiter ?? '/';
    const params: Record<string, string> = { prefix: query.prefix };
    if (query.delimiter !== undefined) params.delimiter = query.delimiter;
    if (maxKeys !== undefined) params['max-keys'] = String(maxKeys);
    const pages = await allPages(h, params);
    const model = modelListAll(sorted, { prefix: query.prefix, delimiter, maxKeys: maxKeys ?? 1000 });
    expect(pages.length).toBe(model.length);
    pages.forEach((page, i) => {
      expect(page.bucket).toBe(BUCKET);
      expect(page.prefix).toBe(query.prefix);
      expect(page.delimiter).toBe(delimiter);
      expect(page.folders.map((f) => f.prefix)).toEqual(model[i]!.commonPrefixes);
      expect(page.objects.map((o) => o.key)).toEqual(model[i]!.keys);
      for (const f of page.folders) expect({ objects: f.objects, bytes: f.bytes }).toEqual(statsOf(keys, f.prefix));
      for (const o of page.objects) expect(o.size).toBe(keys.get(o.key));
    });
  });

  it('renders objects as /objects does', async () => {
    const folders = await getJson<FoldersPage>(h, `/v1/buckets/${BUCKET}/folders?prefix=z/`);
    const objects = await getJson<{ objects: unknown[] }>(h, `/v1/buckets/${BUCKET}/objects?prefix=z/&delimiter=/`);
    expect(folders.objects).toEqual(objects.objects);
    expect(folders.objects.length).toBeGreaterThan(0);
  });

  it('answers an empty page for a prefix with nothing under it', async () => {
    expect(await getJson<FoldersPage>(h, `/v1/buckets/${BUCKET}/folders?prefix=nothing/`)).toEqual({
      bucket: BUCKET,
      prefix: 'nothing/',
      delimiter: '/',
      folders: [],
      objects: [],
      isTruncated: false,
      nextContinuationToken: null,
    });
  });
});

describe('GET /v1/buckets/{bucket}/usage', () => {
  const keys = generate(SEED + 1, 800);
  // folders of equal size: ties are ordered by their prefixes' bytes
  for (const name of ['tie-b', 'tie-a', 'tie-é', 'tie-Z']) keys.set(`${name}/only.bin`, 4242);
  let h: AppHarness;
  beforeAll(async () => {
    h = await seeded(keys);
  });

  function modelUsage(prefix: string, delimiter: string, top: number): Usage {
    const folders = new Map<string, FolderFigures>();
    const direct = { objects: 0, bytes: 0 };
    for (const [k, size] of keys) {
      if (!k.startsWith(prefix)) continue;
      const at = k.indexOf(delimiter, prefix.length);
      if (at < 0) {
        direct.objects++;
        direct.bytes += size;
        continue;
      }
      const p = k.slice(0, at + delimiter.length);
      const f = folders.get(p) ?? { prefix: p, objects: 0, bytes: 0 };
      f.objects++;
      f.bytes += size;
      folders.set(p, f);
    }
    const ordered = [...folders.values()].sort((a, b) => b.bytes - a.bytes || utf8Compare(a.prefix, b.prefix));
    return {
      bucket: BUCKET,
      prefix,
      ...statsOf(keys, prefix),
      direct,
      folderCount: folders.size,
      truncated: false,
      folders: ordered.slice(0, top),
    };
  }

  it.each([
    ['the root', '', '/', undefined],
    ['a UTF-8 folder, top 3', 'données/', '/', 3],
    ['a deeper folder, top 1000', 'logs/été/', '/', 1000],
    ['"-" as the delimiter', 'photos/', '-', 2],
    ['top 0', '', '/', 0],
  ])('%s', async (_, prefix, delimiter, top) => {
    const params: Record<string, string> = { prefix, delimiter };
    if (top !== undefined) params.top = String(top);
    const usage = await getJson<Usage>(h, `/v1/buckets/${BUCKET}/usage?${q(params)}`);
    expect(usage).toEqual(modelUsage(prefix, delimiter, top ?? 50));
  });

  it('orders equal sizes by prefix bytes', async () => {
    const usage = await getJson<Usage>(h, `/v1/buckets/${BUCKET}/usage?prefix=tie-&delimiter=/`);
    expect(usage.folders.map((f) => f.prefix)).toEqual(['tie-Z/', 'tie-a/', 'tie-b/', 'tie-é/']);
    expect(usage.folders.every((f) => f.bytes === 4242)).toBe(true);
  });

  it('pages through more sub-folders than one listing page holds', async () => {
    const many = new Map<string, number>();
    for (let i = 0; i < 2500; i++) many.set(`wide/${String(i).padStart(4, '0')}/k`, i % 7);
    const hw = await seeded(many);
    const usage = await getJson<Usage>(hw, `/v1/buckets/${BUCKET}/usage?prefix=wide/&top=3`);
    expect(usage.folderCount).toBe(2500);
    expect(usage.objects).toBe(2500);
    expect(usage.truncated).toBe(false);
    // sizes 6 first, in prefix order: 0006, 0013, 0020
    expect(usage.folders.map((f) => f.prefix)).toEqual(['wide/0006/', 'wide/0013/', 'wide/0020/']);
  });

  it('stops after scanCap listing entries (objects and folders alike), exact totals and truncated set', async () => {
    // 1,500 objects directly in big/, then 30 sub-folders (keys sort 'big/0…' < 'big/x…'), sizes known
    const keys = new Map<string, number>();
    for (let i = 0; i < 1500; i++) keys.set(`big/0${String(i).padStart(4, '0')}`, 2);
    for (let i = 0; i < 30; i++) keys.set(`big/x${String(i).padStart(2, '0')}/k`, 100 + i);
    const hb = await seeded(keys);
    const index = new S3Index(hb.engine);
    const capped = await prefixUsage(index, BUCKET, 'big/', '/', 5, 1510);
    expect(capped).toMatchObject({ objects: 1530, bytes: 1500 * 2 + 30 * 100 + 435, truncated: true });
    expect(capped.direct).toEqual({ objects: 1500, bytes: 3000 });
    expect(capped.folderCount).toBe(10);
    expect(capped.folders.map((f) => f.prefix)).toEqual(['big/x09/', 'big/x08/', 'big/x07/', 'big/x06/', 'big/x05/']);
    const whole = await prefixUsage(index, BUCKET, 'big/', '/', 1, 1530);
    expect(whole).toMatchObject({ truncated: false, folderCount: 30, direct: { objects: 1500, bytes: 3000 } });
    expect(whole.folders).toEqual([{ prefix: 'big/x29/', objects: 1, bytes: 129 }]);
  });
});

describe('errors', () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await seeded(new Map([['a/b', 1]]));
  });

  const long = 'x'.repeat(1025);
  it.each([
    'folders?max-keys=abc',
    'folders?max-keys=10001',
    'folders?delimiter=',
    `folders?prefix=${long}`,
    'folders?continuation-token=!!',
    'usage?top=1001',
    'usage?top=-1',
    'usage?top=abc',
    'usage?delimiter=',
    `usage?prefix=${long}`,
  ])('400 InvalidArgument: %#', async (target) => {
    const body = await getJson<{ error: { code: string; message: string } }>(h, `/v1/buckets/${BUCKET}/${target}`, 400);
    expect(body.error.code).toBe('InvalidArgument');
  });

  it.each(['folders', 'usage'])(
    '%s: 400 for an invalid bucket name, 404 NoSuchBucket for an unknown one',
    async (r) => {
      expect((await getJson<{ error: { code: string } }>(h, `/v1/buckets/Bad_Name/${r}`, 400)).error.code).toBe(
        'InvalidBucketName',
      );
      expect(await getJson(h, `/v1/buckets/no-such-bucket/${r}`, 404)).toEqual({
        error: { code: 'NoSuchBucket', message: 'The specified bucket does not exist' },
      });
    },
  );
});

describe('the response cache', () => {
  it('serves repeated answers from the cache, and a new event changes the next answer', async () => {
    const keys = new Map<string, number>();
    for (const f of ['a', 'b', 'c', 'd']) for (let i = 0; i < 3; i++) keys.set(`${f}/${i}/k`, 10);
    const h = await seeded(keys);
    const hits = async (): Promise<number> => {
      const text = await (await h.request('/metrics')).text();
      return Number(/s3index_http_response_cache_total\{result="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    // a truncated page: a, b; its range ends at the first key past it, so it covers every key under b/
    const page = `/v1/buckets/${BUCKET}/folders?max-keys=2`;
    const usage = `/v1/buckets/${BUCKET}/usage?prefix=b/`;
    const first = await getJson<FoldersPage>(h, page);
    expect(first.folders).toEqual([
      { prefix: 'a/', objects: 3, bytes: 30 },
      { prefix: 'b/', objects: 3, bytes: 30 },
    ]);
    expect((await getJson<Usage>(h, usage)).bytes).toBe(30);
    const before = await hits();
    expect(await getJson(h, page)).toEqual(first);
    expect((await getJson<Usage>(h, usage)).bytes).toBe(30);
    expect(await hits()).toBe(before + 2);

    // a key deep inside the page's last folder
    expect((await h.post('/v1/events', createdEvent(BUCKET, 'b/2/deeper/k', { size: 5 }))).status).toBe(200);
    expect((await getJson<FoldersPage>(h, page)).folders[1]).toEqual({ prefix: 'b/', objects: 4, bytes: 35 });
    const after = await getJson<Usage>(h, usage);
    expect(after).toMatchObject({ objects: 4, bytes: 35, folderCount: 3 });
    expect(after.folders[0]).toEqual({ prefix: 'b/2/', objects: 2, bytes: 15 });

    // a deletion under a/ changes the page too; one under d/ (past the page) leaves it cached
    expect((await h.post('/v1/events', deletedEvent(BUCKET, 'a/0/k'))).status).toBe(200);
    const third = await getJson<FoldersPage>(h, page);
    expect(third.folders[0]).toEqual({ prefix: 'a/', objects: 2, bytes: 20 });
    const cached = await hits();
    expect((await h.post('/v1/events', createdEvent(BUCKET, 'd/9/k', { size: 1 }))).status).toBe(200);
    expect(await getJson(h, page)).toEqual(third);
    expect(await hits()).toBe(cached + 1);
    expect((await getJson<FoldersPage>(h, `/v1/buckets/${BUCKET}/folders`)).folders[3]).toEqual({
      prefix: 'd/',
      objects: 4,
      bytes: 31,
    });
  });
});
