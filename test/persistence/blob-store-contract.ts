/**
 * The one contract every BlobStore adapter passes (memory, local directory, S3): reads, writes, listings, and the
 * two conditional writes the commit protocol relies on, including races between writers. An adapter's test file
 * calls `blobStoreContract` with a factory that gives a fresh, empty store.
 */
import { type BlobStore, PreconditionFailed } from '../../src/persistence/blob-store';

const text = (b: { body: Buffer } | 'not-modified' | undefined): string | undefined =>
  b === undefined || b === 'not-modified' ? undefined : b.body.toString('utf8');

async function streamText(store: BlobStore, name: string): Promise<string | undefined> {
  const s = await store.getStream(name);
  if (s === undefined) return undefined;
  const parts: Buffer[] = [];
  for await (const p of s.body) parts.push(Buffer.from(p));
  const all = Buffer.concat(parts);
  expect(all.length).toBe(s.size);
  return all.toString('utf8');
}

/** Groups of cases an adapter's run may skip, with a reason (printed in the case titles and on the console). */
export type ContractGroup = 'conditional writes';

export interface ContractOptions {
  /** group → why this run cannot pass it (another run must cover it) */
  skip?: Partial<Record<ContractGroup, string>>;
}

export function blobStoreContract(label: string, fresh: () => Promise<BlobStore>, opts: ContractOptions = {}): void {
  describe(`BlobStore contract: ${label}`, () => {
    const skipped = Object.entries(opts.skip ?? {});
    if (skipped.length > 0)
      beforeAll(() => {
        for (const [group, why] of skipped) console.warn(`BlobStore contract: ${label}: skipping '${group}': ${why}`);
      });
    /** `it`, or a skip whose title says why */
    const inGroup = (group: ContractGroup) => {
      const why = opts.skip?.[group];
      if (why === undefined) return it;
      return (name: string, fn: () => Promise<void>) => it.skip(`${name} [skipped, ${group}: ${why}]`, fn);
    };
    const conditional = inGroup('conditional writes');
    let store: BlobStore;
    beforeEach(async () => {
      store = await fresh();
    });

    it('a missing blob reads as undefined, whole and streamed', async () => {
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.getStream('dir/nope')).toBeUndefined();
    });

    it('a put is read back whole and streamed, with its ETag', async () => {
      const etag = await store.put('a/b/c.bin', Buffer.from('hello'));
      const got = await store.get('a/b/c.bin');
      expect(got).toEqual({ etag, body: Buffer.from('hello') });
      expect(await streamText(store, 'a/b/c.bin')).toBe('hello');
      expect((await store.getStream('a/b/c.bin'))!.etag).toBe(etag);
    });

    it('a large blob written from a stream reads back the same', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      async function* pieces() {
        for (let i = 0; i < big.length; i += 100_000) yield big.subarray(i, i + 100_000);
      }
      await store.put('snap/big', pieces());
      const got = await store.get('snap/big');
      expect(got !== 'not-modified' && got !== undefined && got.body.equals(big)).toBe(true);
      const s = await store.getStream('snap/big');
      const parts: Buffer[] = [];
      for await (const p of s!.body) parts.push(Buffer.from(p));
      expect(Buffer.concat(parts).equals(big)).toBe(true);
    });

    it('an unconditional put replaces, with a new ETag', async () => {
      const e1 = await store.put('k', Buffer.from('1'));
      const e2 = await store.put('k', Buffer.from('2'));
      expect(e2).not.toBe(e1);
      expect(text(await store.get('k'))).toBe('2');
    });

    conditional("ifNoneMatch '*' creates a blob only when there is none", async () => {
      await store.put('seg/1', Buffer.from('first'), { ifNoneMatch: '*' });
      await expect(store.put('seg/1', Buffer.from('second'), { ifNoneMatch: '*' })).rejects.toThrow(PreconditionFailed);
      expect(text(await store.get('seg/1'))).toBe('first');
    });

    conditional('ifMatch replaces only the version read', async () => {
      const e1 = await store.put('manifest', Buffer.from('v1'));
      const e2 = await store.put('manifest', Buffer.from('v2'), { ifMatch: e1 });
      await expect(store.put('manifest', Buffer.from('v3'), { ifMatch: e1 })).rejects.toThrow(PreconditionFailed);
      expect(text(await store.get('manifest'))).toBe('v2');
      await store.put('manifest', Buffer.from('v3'), { ifMatch: e2 });
      expect(text(await store.get('manifest'))).toBe('v3');
      await expect(store.put('absent', Buffer.from('x'), { ifMatch: e2 })).rejects.toThrow(PreconditionFailed);
      expect(await store.get('absent')).toBeUndefined();
    });

    it('a conditional get answers not-modified while the ETag holds', async () => {
      const e1 = await store.put('m', Buffer.from('one'));
      expect(await store.get('m', { ifNoneMatch: e1 })).toBe('not-modified');
      await store.put('m', Buffer.from('two'));
      expect(text(await store.get('m', { ifNoneMatch: e1 }))).toBe('two');
    });

    conditional('racing creators of one name: exactly one wins', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.put('log/42', Buffer.from(`writer ${i}`), { ifNoneMatch: '*' })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailed);
      const body = text(await store.get('log/42'))!;
      expect(body).toMatch(/^writer \d$/);
    });

    conditional('racing replacers of one version: exactly one wins', async () => {
      const e = await store.put('manifest', Buffer.from('base'));
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.put('manifest', Buffer.from(`next ${i}`), { ifMatch: e })),
      );
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect(text(await store.get('manifest'))).toBe(`next ${winner}`);
    });

    it('lists by prefix, in name order, nested names included', async () => {
      for (const n of ['log/0002', 'log/0001', 'snap/0001', 'manifest', 'log/sub/x'])
        await store.put(n, Buffer.from(n));
      expect((await store.list('log/')).map((b) => b.name)).toEqual(['log/0001', 'log/0002', 'log/sub/x']);
      expect((await store.list('')).map((b) => b.name)).toEqual([
        'log/0001',
        'log/0002',
        'log/sub/x',
        'manifest',
        'snap/0001',
      ]);
      const [first] = await store.list('log/0001');
      expect(first!.size).toBe('log/0001'.length);
      expect(first!.lastModified).toBeGreaterThan(Date.now() - 3_600_000);
    });

    it('deletes, and deleting what is absent is no error', async () => {
      await store.put('x', Buffer.from('1'));
      await store.delete('x');
      await store.delete('x');
      expect(await store.get('x')).toBeUndefined();
      expect(await store.list('x')).toEqual([]);
    });

    it('refuses names that could leave its root', async () => {
      for (const bad of ['../x', '/abs', 'a//b', 'a/../b', '', 'a/./b', 'sp ace'])
        await expect(store.put(bad, Buffer.from('x'))).rejects.toThrow(/invalid blob name/);
    });
  });
}
