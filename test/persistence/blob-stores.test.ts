/** The BlobStore contract run against the memory and local-directory adapters, and what is particular to each. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PreconditionFailed, StoreError } from '../../src/persistence/blob-store';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { MemoryBlobStore } from '../../src/persistence/memory-store';
import { blobStoreContract } from './blob-store-contract';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-store-'));
  dirs.push(d);
  return d;
};

blobStoreContract('memory', async () => new MemoryBlobStore());
blobStoreContract('local directory', async () => FsBlobStore.open(path.join(tempDir(), 'data')));

describe('MemoryBlobStore unfenced (a server that ignores conditional headers)', () => {
  it('says so, and lets a second creator overwrite', async () => {
    const s = new MemoryBlobStore(false);
    expect(s.fenced).toBe(false);
    await s.put('a', Buffer.from('1'), { ifNoneMatch: '*' });
    await expect(s.put('a', Buffer.from('2'), { ifNoneMatch: '*' })).resolves.toBeDefined();
  });
});

describe('FsBlobStore', () => {
  it('leaves no temporary or lock files behind, and lists none', async () => {
    const dir = tempDir();
    const s = await FsBlobStore.open(dir);
    const e = await s.put('manifest', Buffer.from('1'));
    await s.put('manifest', Buffer.from('2'), { ifMatch: e });
    await s.put('log/1', Buffer.from('x'), { ifNoneMatch: '*' });
    await expect(s.put('log/1', Buffer.from('y'), { ifNoneMatch: '*' })).rejects.toThrow(PreconditionFailed);
    const all = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((x) => (x.isDirectory() ? all(path.join(d, x.name)) : [x.name]));
    expect(all(dir).sort()).toEqual(['1', 'manifest']);
  });

  it('a directory that cannot be created is a StoreError naming it', async () => {
    await expect(FsBlobStore.open('/proc/version/data')).rejects.toThrow(StoreError);
    await expect(FsBlobStore.open('/proc/version/data')).rejects.toThrow(
      /data directory \/proc\/version\/data is not writable \(ENOTDIR\)/,
    );
  });

  it('two store objects on one directory (two processes) are fenced like S3 writers', async () => {
    const dir = tempDir();
    const a = await FsBlobStore.open(dir);
    const b = await FsBlobStore.open(dir);
    const e = await a.put('manifest', Buffer.from('base'));
    const results = await Promise.allSettled([
      a.put('manifest', Buffer.from('a'), { ifMatch: e }),
      b.put('manifest', Buffer.from('b'), { ifMatch: e }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
  });
});
