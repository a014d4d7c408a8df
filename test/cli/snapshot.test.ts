/** `s3-index snapshot inspect|verify`: on the golden fixture, on a damaged copy, and on paths that are not stores. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { snapshotCommand } from '../../src/cli/snapshot';

const fixture = path.join(__dirname, '../fixtures/persistence/v1/store');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await snapshotCommand(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function damagedCopy(mutate: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-inspect-'));
  fs.cpSync(fixture, dir, { recursive: true });
  mutate(dir);
  return dir;
}

describe('s3-index snapshot', () => {
  it('inspect prints the manifest, the snapshot with its sections, and each segment', async () => {
    const r = await run('inspect', fixture);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^manifest: last batch 2, written by golden01 at 2025-06-15T15:06:41.000Z, 1 log segments/);
    expect(r.out).toMatch(
      /snapshot snapshots\/0000000000000001-golden01.snapshot: format 1, .* log position 1, 12 keys/,
    );
    expect(r.out).toMatch(/section 1: DATA deflated \d+ bytes \(\d+ inflated\)/);
    expect(r.out).toMatch(/segment log\/0000000000000002-golden01.seg: batches 2…2, 3 commands/);
  });

  it('verify says ok for a whole store and for one snapshot file', async () => {
    expect((await run('verify', fixture)).out).toMatch(/ok: every checksum and record is valid\n$/);
    const snap = path.join(fixture, 'snapshots/0000000000000001-golden01.snapshot');
    const r = await run('verify', snap);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/12 keys/);
  });

  it('verify reports a damaged snapshot and a damaged segment, exit 1', async () => {
    const badSnap = damagedCopy((d) => {
      const f = path.join(d, 'snapshots/0000000000000001-golden01.snapshot');
      const b = fs.readFileSync(f);
      b[200] ^= 1;
      fs.writeFileSync(f, b);
    });
    expect(await run('verify', badSnap)).toMatchObject({
      code: 1,
      err: 's3-index: section checksum mismatch (kind 2)\n',
    });
    const badSeg = damagedCopy((d) => {
      const f = path.join(d, 'log/0000000000000002-golden01.seg');
      const b = fs.readFileSync(f);
      b[b.length - 3] ^= 1;
      fs.writeFileSync(f, b);
    });
    const r = await run('verify', badSeg);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/log\/0000000000000002-golden01.seg: batch checksum mismatch at byte 12/);
  });

  it('paths that are not stores, and usage errors', async () => {
    expect(await run('inspect', '/nonexistent')).toMatchObject({
      code: 1,
      err: 's3-index: /nonexistent does not exist\n',
    });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-empty-'));
    expect((await run('inspect', empty)).err).toMatch(/has no manifest.json/);
    expect((await run('frobnicate', empty)).code).toBe(2);
    expect((await run('inspect')).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
  });
});
