/**
 * The directory store's manifest lock (fs-store.ts): a lock left by a process killed while it held it does not
 * stall the next writer (found by the crash tests: SIGKILL between taking the lock and replacing the manifest made
 * the restarted server's first commit wait for the lock to go stale, ~10 s), while a lock whose holder runs is
 * waited for.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../src/persistence/fs-store';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function storeWithManifest(): Promise<{ store: FsBlobStore; etag: string; lock: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-lock-'));
  dirs.push(dir);
  const store = await FsBlobStore.open(dir);
  const etag = await store.put('manifest.json', Buffer.from('{}'), { ifNoneMatch: '*' });
  return { store, etag, lock: path.join(dir, 'manifest.json.lock') };
}

it('a lock whose holder (a process of this host) has ended is broken at once', async () => {
  const { store, etag, lock } = await storeWithManifest();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  fs.writeFileSync(lock, `${os.hostname()} ${gone}\n`);
  const t0 = Date.now();
  await store.put('manifest.json', Buffer.from('{"v":2}'), { ifMatch: etag });
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(fs.existsSync(lock)).toBe(false);
  expect((await store.get('manifest.json')) as { body: Buffer }).toMatchObject({ body: Buffer.from('{"v":2}') });
  // nothing left beside it
  expect(fs.readdirSync(path.dirname(lock)).sort()).toEqual(['manifest.json']);
});

it('a lock whose holder runs is waited for', async () => {
  const { store, etag, lock } = await storeWithManifest();
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    fs.writeFileSync(lock, `${os.hostname()} ${holder.pid}\n`);
    let done = false;
    const put = store.put('manifest.json', Buffer.from('{"v":2}'), { ifMatch: etag }).finally(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    // the holder lets go
    fs.unlinkSync(lock);
    await put;
  } finally {
    holder.kill('SIGKILL');
  }
});

it('a lock of another host is not judged by a pid of this one', async () => {
  const { store, etag, lock } = await storeWithManifest();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  fs.writeFileSync(lock, `not-${os.hostname()} ${gone}\n`);
  let done = false;
  const put = store.put('manifest.json', Buffer.from('{"v":2}'), { ifMatch: etag }).finally(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(done).toBe(false);
  fs.unlinkSync(lock);
  await put;
});
