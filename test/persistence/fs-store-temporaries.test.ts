/**
 * The directory store's temporary files (fs-store.ts): a writer killed between writing a blob and publishing it
 * leaves its temporary file, as large as the blob (found by the crash tests: one left per crash, never removed).
 * Opening the store removes those of writers that are gone and keeps those being written.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../src/persistence/fs-store';

const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_');

it("opening a directory store removes dead writers' temporary files and keeps live ones", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-tmp-'));
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.mkdirSync(path.join(dir, 'snapshots'));
    fs.mkdirSync(path.join(dir, 'log'));
    const files = {
      deadSnapshot: `snapshots/.tmp-0000000000000007-ab.snapshot-${host}-${gone}-3`,
      deadManifest: `.tmp-manifest.json-${host}-${gone}-4`,
      liveSegment: `log/.tmp-0000000000000008-ab.seg-${host}-${live.pid}-1`,
      otherHost: `log/.tmp-0000000000000009-ab.seg-elsewhere-${gone}-1`,
      otherHostOld: `log/.tmp-0000000000000010-ab.seg-elsewhere-${gone}-2`,
      blob: 'log/0000000000000001-ab.seg',
    };
    for (const f of Object.values(files)) fs.writeFileSync(path.join(dir, f), 'x');
    const longAgo = new Date(Date.now() - 2 * 24 * 3_600_000);
    fs.utimesSync(path.join(dir, files.otherHostOld), longAgo, longAgo);

    await FsBlobStore.open(dir);
    const left = (f: string) => fs.existsSync(path.join(dir, f));
    expect(left(files.deadSnapshot)).toBe(false);
    expect(left(files.deadManifest)).toBe(false);
    expect(left(files.otherHostOld)).toBe(false);
    expect(left(files.liveSegment)).toBe(true);
    expect(left(files.otherHost)).toBe(true);
    expect(left(files.blob)).toBe(true);
    // opened read-only (inspecting), nothing is touched
    fs.writeFileSync(path.join(dir, files.deadManifest), 'x');
    await FsBlobStore.open(dir, { readOnly: true });
    expect(left(files.deadManifest)).toBe(true);
  } finally {
    live.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
