/**
 * ListObjectsV2 semantics checked against a naive reference implementation over a sorted array, for random key
 * sets and every parameter combination, including paging with tokens while the index changes between pages.
 */
import fc from 'fast-check';
import { SortedSet } from '../../src/engine/structures/sortedset';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  type KeyCursor,
  listRaw,
  prefixSuccessor,
  type RawPage,
} from '../../src/index/list';
import { created, deleted, indexHarness } from './harness';

const ALPHABET = ['a', 'b', '/', ' ', '+', '%', 'é', '😀', '\uFB00', '-', '0'];
const keyArb = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const optArb = fc.option(
  fc.array(fc.constantFrom(...ALPHABET), { minLength: 0, maxLength: 3 }).map((a) => a.join('')),
  {
    nil: undefined,
  },
);
const delimArb = fc.option(fc.constantFrom('/', 'a', '😀', '//', '\uFB00', 'b/'), { nil: undefined });

type Entry = { key: string } | { prefix: string };
const u = (s: string) => Buffer.from(s, 'utf8');
const cmp = (a: string, b: string) => Buffer.compare(u(a), u(b));

/** The reference: every matching key or rolled-up prefix in order, then cut at maxKeys. */
function reference(keys: string[], prefix: string, delimiter: string | undefined, after: string | undefined): Entry[] {
  const sorted = [...new Set(keys)].sort(cmp);
  const out: Entry[] = [];
  for (const k of sorted) {
    if (!u(k).subarray(0, u(prefix).length).equals(u(prefix))) continue;
    if (after !== undefined && cmp(k, after) <= 0) continue;
    if (delimiter) {
      const i = u(k).indexOf(u(delimiter), u(prefix).length);
      if (i >= 0) {
        const cp = u(k)
          .subarray(0, i + u(delimiter).length)
          .toString('utf8');
        if (after !== undefined && cmp(cp, after) <= 0) continue;
        const last = out[out.length - 1];
        if (last && 'prefix' in last && last.prefix === cp) continue;
        out.push({ prefix: cp });
        continue;
      }
    }
    out.push({ key: k });
  }
  return out;
}

/** A SortedSet stand-in over a sorted array (checks listRaw independently of the B+tree). */
function arrayKeys(keys: string[]) {
  const arr = [...new Set(keys)].map(u).sort(Buffer.compare);
  return {
    get size() {
      return arr.length;
    },
    lexCursor(from: Uint8Array, exclusive: boolean): KeyCursor {
      let i = 0;
      const firstAt = (k: Uint8Array, ex: boolean, start: number) => {
        let j = start;
        while (j < arr.length && (ex ? Buffer.compare(arr[j]!, k) <= 0 : Buffer.compare(arr[j]!, k) < 0)) j++;
        return j;
      };
      i = firstAt(from, exclusive, 0);
      return {
        get valid() {
          return i < arr.length;
        },
        keyBuf: () => arr[i]!,
        keyStart: 0,
        get keyEnd() {
          return arr[i]!.length;
        },
        valueBounds: () => false,
        valueStart: -1,
        valueEnd: -1,
        stableBuf: () => arr[i]!,
        stableBase: 0,
        stableText: () => undefined,
        stablePlain: () => false,
        runWithPrefix: (p: Uint8Array) => (i < arr.length && arr[i]!.subarray(0, p.length).equals(p) ? 1 : 0),
        next: () => ++i < arr.length,
        seek(k: Uint8Array, ex: boolean) {
          i = firstAt(k, ex, i);
          return i < arr.length;
        },
      };
    },
  };
}

function realKeys(keys: string[]) {
  const z = new SortedSet();
  for (const k of keys) z.add(u(k), 0);
  return z;
}

function pageEntries(p: RawPage): Entry[] {
  // listRaw returns keys and prefixes separately; merge them back in byte order
  const all: Entry[] = [
    ...p.keys.map(([m]) => ({ key: m.toString('utf8') })),
    ...p.prefixes.map((b) => ({ prefix: b.toString('utf8') })),
  ];
  return all.sort((a, b) => cmp('key' in a ? a.key : a.prefix, 'key' in b ? b.key : b.prefix));
}

describe('ListObjectsV2 listing', () => {
  it('matches the reference for every parameter combination (array and B+tree backends)', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { maxLength: 40 }),
        optArb,
        delimArb,
        fc.integer({ min: 0, max: 12 }),
        optArb,
        (keys, prefix = '', delimiter, maxKeys, after) => {
          const expected = reference(keys, prefix, delimiter, after);
          for (const z of [arrayKeys(keys), realKeys(keys)]) {
            const page = listRaw(
              z,
              u(prefix),
              delimiter ? u(delimiter) : undefined,
              maxKeys,
              after ? u(after) : undefined,
            );
            expect(pageEntries(page)).toEqual(expected.slice(0, maxKeys));
            expect(page.truncated).toBe(maxKeys > 0 && expected.length > maxKeys);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('pages through with tokens: the concatenation equals the full listing', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { maxLength: 40 }),
        optArb,
        delimArb,
        fc.integer({ min: 1, max: 5 }),
        (keys, prefix = '', delimiter, size) => {
          const z = realKeys(keys);
          const all: Entry[] = [];
          let after: Buffer | undefined;
          for (let guard = 0; guard < 100; guard++) {
            const p = listRaw(z, u(prefix), delimiter ? u(delimiter) : undefined, size, after);
            all.push(...pageEntries(p));
            if (!p.truncated) break;
            after = decodeContinuationToken(encodeContinuationToken(p.last!));
          }
          expect(all).toEqual(reference(keys, prefix, delimiter, undefined));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('seeks past rolled-up prefixes instead of scanning under them', () => {
    const z = new SortedSet();
    for (let f = 0; f < 20; f++) for (let i = 0; i < 500; i++) z.add(u(`logs/f${String(f).padStart(2, '0')}/${i}`), 0);
    let visited = 0;
    const counting = {
      get size() {
        return z.size;
      },
      lexCursor(from: Uint8Array, exclusive: boolean): KeyCursor {
        const c = z.lexCursor(from, exclusive);
        const keyBuf = c.keyBuf.bind(c);
        // every key the listing looks at is read through keyBuf once
        c.keyBuf = () => {
          visited++;
          return keyBuf();
        };
        return c;
      },
    };
    const p = listRaw(counting, u('logs/'), u('/'), 1000, undefined);
    expect(p.prefixes.length).toBe(20);
    expect(visited).toBe(20);
  });

  it('stops exactly at the end of a prefix wherever it falls in a leaf (the per-leaf prefix check)', () => {
    // prefixes of 1..400 keys, so their ends fall at every position of the 128-entry leaves, some past a leaf end
    const z = new SortedSet();
    const all: string[] = [];
    for (let g = 0; g < 40; g++) {
      for (let i = 0; i < 1 + ((g * 37) % 400); i++)
        all.push(`p${String(g).padStart(2, '0')}/${String(i).padStart(4, '0')}`);
    }
    for (const k of all) z.add(u(k), 0);
    // and a prefix that ends exactly at a leaf's end: one tree per length of the first prefix
    for (let n = 100; n <= 300; n++) {
      const y = new SortedSet();
      for (let i = 0; i < n + 50; i++) y.add(u(`${i < n ? 'a' : 'b'}/${String(i).padStart(4, '0')}`), 0);
      expect(listRaw(y, u('a/'), undefined, 100_000, undefined).keys.length).toBe(n);
    }
    for (let g = 0; g < 40; g++) {
      const prefix = `p${String(g).padStart(2, '0')}/`;
      const want = all.filter((k) => k.startsWith(prefix));
      for (const after of [undefined, `${prefix}0003`]) {
        const p = listRaw(z, u(prefix), u('/'), 100_000, after === undefined ? undefined : u(after));
        const got = p.keys.map(([m]) => m.toString());
        expect(got).toEqual(after === undefined ? want : want.filter((k) => k > after));
      }
    }
  });

  it('rolls up prefixes that end in 0xff bytes (raw RESP keys and delimiters, not UTF-8)', () => {
    const z = new SortedSet();
    const keys = [[0x61, 0xff], [0x61, 0xff, 0x62], [0x61, 0xff, 0xff], [0x62], [0x62, 0xff, 0x63], [0xff, 0xff, 0x01]];
    for (const k of keys) z.add(Buffer.from(k), 0);
    const p = listRaw(z, Buffer.alloc(0), Buffer.from([0xff]), 1000, undefined);
    expect(p.prefixes).toEqual([Buffer.from([0x61, 0xff]), Buffer.from([0x62, 0xff]), Buffer.from([0xff])]);
    expect(p.keys.map(([m]) => m)).toEqual([Buffer.from([0x62])]);
    const q = listRaw(z, Buffer.alloc(0), Buffer.from([0xff, 0xff]), 1000, undefined);
    expect(q.prefixes).toEqual([Buffer.from([0x61, 0xff, 0xff]), Buffer.from([0xff, 0xff])]);
    expect(q.keys.map(([m]) => m)).toEqual(
      [[0x61, 0xff], [0x61, 0xff, 0x62], [0x62], [0x62, 0xff, 0x63]].map((k) => Buffer.from(k)),
    );
  });

  it('computes prefix successors and rejects bad tokens', () => {
    expect(prefixSuccessor(u('ab'))).toEqual(u('ac'));
    expect(prefixSuccessor(Buffer.from([0x61, 0xff, 0xff]))).toEqual(u('b'));
    expect(prefixSuccessor(Buffer.from([0xff]))).toBeUndefined();
    expect(decodeContinuationToken('')).toBeUndefined();
    expect(decodeContinuationToken('!!')).toBeUndefined();
    expect(decodeContinuationToken(Buffer.from([2, 65]).toString('base64url'))).toBeUndefined();
    expect(decodeContinuationToken(encodeContinuationToken(u('😀/x')))).toEqual(u('😀/x'));
  });

  it('keeps tokens valid while the index changes between pages (resume strictly after the last item)', () => {
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.boolean(), keyArb), { maxLength: 30 }),
        delimArb,
        fc.integer({ min: 1, max: 4 }),
        (keys, changes, delimiter, size) => {
          const { index } = indexHarness();
          let seq = 1;
          const hex = () => (seq++).toString(16).toUpperCase().padStart(8, '0');
          const model = new Set<string>();
          index.ingest(keys.map((k) => created('bkt', k, hex(), 1)));
          for (const k of keys) model.add(k);
          let token: string | undefined;
          let last: string | undefined;
          const seen: Entry[] = [];
          let c = 0;
          for (let guard = 0; guard < 200; guard++) {
            const r = index.listObjectsV2('bkt', { delimiter, maxKeys: size, continuationToken: token });
            if (!r.ok) throw new Error(r.error.message);
            const entries: Entry[] = [
              ...r.value.contents.map((o) => ({ key: o.key })),
              ...r.value.commonPrefixes.map((p) => ({ prefix: p })),
            ].sort((a, b) => cmp('key' in a ? a.key : a.prefix, 'key' in b ? b.key : b.prefix));
            // each page equals the reference listing of the CURRENT state, strictly after the last item
            expect(entries).toEqual(reference([...model], '', delimiter, last).slice(0, size));
            seen.push(...entries);
            if (!r.value.isTruncated) break;
            const lastEntry = entries[entries.length - 1]!;
            last = 'key' in lastEntry ? lastEntry.key : lastEntry.prefix;
            token = r.value.nextContinuationToken;
            // mutate between pages
            for (let j = 0; j < 2 && c < changes.length; j++, c++) {
              const [put, k] = changes[c]!;
              if (put) {
                index.ingest(created('bkt', k, hex(), 1));
                model.add(k);
              } else {
                index.ingest(deleted('bkt', k, hex()));
                model.delete(k);
              }
            }
          }
          // items never repeat and stay in order
          for (let i = 1; i < seen.length; i++) {
            const a = seen[i - 1]!;
            const b = seen[i]!;
            expect(cmp('key' in a ? a.key : a.prefix, 'key' in b ? b.key : b.prefix)).toBeLessThan(0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('applies the max-keys cap, echoes start-after only without a token, 404s unknown buckets', () => {
    const { index } = indexHarness();
    index.ingest(
      Array.from({ length: 1500 }, (_, i) => created('big', `k${String(i).padStart(5, '0')}`, `0${i.toString(16)}`, 2)),
    );
    const p = index.listObjectsV2('big', { maxKeys: 5000 });
    expect(p.ok && p.value.contents.length).toBe(1000);
    const q = index.listObjectsV2('big', { maxKeys: 5000 }, { maxKeysCap: 10_000 });
    expect(q.ok && q.value.contents.length).toBe(1500);
    const s = index.listObjectsV2('big', { startAfter: 'k01490', maxKeys: 3 });
    expect(s.ok && [s.value.startAfter, s.value.contents.map((o) => o.key), s.value.isTruncated]).toEqual([
      'k01490',
      ['k01491', 'k01492', 'k01493'],
      true,
    ]);
    const t = index.listObjectsV2('big', {
      startAfter: 'k01490',
      continuationToken: s.ok ? s.value.nextContinuationToken : '',
    });
    expect(t.ok && [t.value.startAfter, t.value.contents.length, t.value.isTruncated]).toEqual([undefined, 6, false]);
    expect(index.listObjectsV2('nope')).toEqual({
      ok: false,
      error: { code: 'NoSuchBucket', message: expect.any(String) },
    });
    expect(index.listObjectsV2('big', { maxKeys: -1 }).ok).toBe(false);
    let pages = 0;
    let n = 0;
    for (const page of index.listAll('big', {}, 400)) {
      pages++;
      n += page.keyCount;
    }
    expect([pages, n]).toEqual([4, 1500]);
    expect(index.stats('big', 'k00')).toEqual({ ok: true, value: { objects: 1000, bytes: 2000 } });
  });

  it('decodes thousands of rolled-up prefixes exactly, ASCII and not, across slab boundaries', () => {
    const { index } = indexHarness();
    const keys: string[] = [];
    for (let i = 0; i < 6000; i++) keys.push(`p/${String(i).padStart(5, '0')}${i % 97 === 0 ? 'é' : ''}/x`);
    for (let i = 0; i < 300; i++) keys.push(`p/k${i}.txt`, `p/😀${i}/y`, `p/${'long'.repeat(i % 40)}${i}/z`);
    index.ingest(keys.map((k, i) => created('bkt', k, (0x100 + i).toString(16))));
    const expected = reference(keys, 'p/', '/', undefined);
    let token: string | undefined;
    const seen: Entry[] = [];
    do {
      const r = index.listObjectsV2(
        'bkt',
        { prefix: 'p/', delimiter: '/', maxKeys: 10_000, continuationToken: token },
        { maxKeysCap: 10_000 },
      );
      if (!r.ok) throw new Error('no page');
      for (const o of r.value.contents) seen.push({ key: o.key });
      for (const cp of r.value.commonPrefixes) seen.push({ prefix: cp });
      token = r.value.nextContinuationToken;
    } while (token !== undefined);
    seen.sort((a, b) => cmp('key' in a ? a.key : a.prefix, 'key' in b ? b.key : b.prefix));
    expect(seen).toEqual(expected);
    expect(seen.filter((e) => 'prefix' in e)).toHaveLength(6600);
  });

  it('lists rows whose ETag (made into hex on first read) also serializes, for ASCII and non-ASCII leaves', () => {
    const { index } = indexHarness();
    index.ingest([
      created('bkt', 'a.txt', '01', 5),
      created('bkt', 'é.txt', '02', 7),
      created('bkt', 'b.txt', '03', 9),
    ]);
    const p = index.listObjectsV2('bkt');
    if (!p.ok) throw new Error('no page');
    const etag = 'b1946ac92492d2347c6235b4d2611184';
    expect(p.value.contents.map((o) => [o.key, o.size, o.etag])).toEqual([
      ['a.txt', 5, etag],
      ['b.txt', 9, etag],
      ['é.txt', 7, etag],
    ]);
    const row = JSON.parse(JSON.stringify(p.value.contents[0]));
    expect(row).toEqual({ key: 'a.txt', size: 5, etag, lastModified: expect.any(Number), storageClass: 'STANDARD' });
  });
});
