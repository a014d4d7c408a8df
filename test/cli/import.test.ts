/**
 * `s3-index import FILE.rdb --data-dir DIR [--replace]` and `s3-index serve --import FILE.rdb`, run as a user runs
 * them (bin/s3-index.js on the built CLI), on an RDB file written by a real redis-server: the keys land in the data
 * directory durably (a restore in another process, and `s3-index export` → redis-server, show them), keys already
 * there refuse the import unless --replace, a bad file changes nothing; serve --import answers the keys over RESP and
 * still has them after a restart without the flag. Plus the usage errors, in-process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { importCommand, takeImportOptions } from '../../src/cli/import';
import type { Engine } from '../../src/engine/engine';
import type { Reply } from '../../src/engine/reply';
import { Durable } from '../../src/persistence/durable';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { createEngine } from '../../src/service/create-engine';
import { INDEX_WEIGHTS, Persistence } from '../../src/service/persistence';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { buildCli, type ServeChild, startServeChild } from '../helpers/serve-child';

const root = path.join(__dirname, '../..');
const run = promisify(execFile);

async function runImport(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await importCommand(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** Runs the built CLI; resolves with its exit code and output (a non-zero exit does not reject). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin/s3-index.js'), ...args], {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const str = (r: Reply): string => {
  if (r.t === 'bulk') return r.v.toString('latin1');
  if (r.t === 'int') return String(r.v);
  if (r.t === 'array' || r.t === 'set') return r.v.map(str).join(',');
  if (r.t === 'null') return '(nil)';
  throw new Error(`reply ${r.t}`);
};

/** The store's committed state, restored in this process (read-only) as another server would. */
async function restored(dir: string): Promise<Engine> {
  const engine = createEngine();
  await Durable.open(engine, { store: await FsBlobStore.open(dir, { readOnly: true }), weights: INDEX_WEIGHTS });
  return engine;
}

/** A data directory holding a few keys, one of which the RDB file holds too (`shared`). */
async function buildDataDir(dir: string): Promise<void> {
  const engine = createEngine();
  const p = await Persistence.open(engine, {
    store: await FsBlobStore.open(dir),
    policy: 'always',
    saveRules: [],
    log: () => undefined,
  });
  const barrier = p.durabilityBarrier();
  for (const argv of [
    ['SET', 'mine', 'kept'],
    ['SET', 'shared', 'ours'],
    ['RPUSH', 'mylist', 'x'],
  ]) {
    engine.execute(argv.map((a) => Buffer.from(a)));
    await barrier();
  }
  await p.close({ snapshot: true });
}

describe('s3-index import usage', () => {
  it('refuses missing and unknown arguments with exit 2', async () => {
    expect((await runImport('--data-dir', '/tmp')).code).toBe(2);
    expect((await runImport('x.rdb')).code).toBe(2);
    expect((await runImport('x.rdb', '--data-dir', '/tmp', '--store', 's3://b/p')).code).toBe(2);
    expect((await runImport('x.rdb', 'y.rdb', '--data-dir', '/tmp')).code).toBe(2);
    expect((await runImport('x.rdb', '--store', '/tmp')).code).toBe(2);
    expect(await runImport('x.rdb', '--data-dir', '/tmp', '--frobnicate')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/unknown option '--frobnicate'/),
    });
    expect((await runImport('--help')).code).toBe(0);
  });

  it('a file that does not exist: exit 1, the store not even opened', async () => {
    const dir = path.join(os.tmpdir(), `s3idx-import-none-${process.pid}`);
    const r = await runImport('/nonexistent/dump.rdb', '--data-dir', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such file/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('serve takes --import FILE.rdb and --import-replace out of its arguments', () => {
    expect(takeImportOptions(['--data-dir', 'd', '--import', 'f.rdb', '--resp-port', '1'])).toEqual({
      rest: ['--data-dir', 'd', '--resp-port', '1'],
      importRdb: { file: 'f.rdb', replace: false },
    });
    expect(takeImportOptions(['--import=f.rdb', '--import-replace']).importRdb).toEqual({
      file: 'f.rdb',
      replace: true,
    });
    expect(takeImportOptions(['--host', 'h']).importRdb).toBeUndefined();
    expect(() => takeImportOptions(['--import'])).toThrow(/--import needs a value/);
    expect(() => takeImportOptions(['--import-replace'])).toThrow(/goes with --import/);
  });
});

describeWithTool('redis-server')('s3-index import and serve --import (built CLI)', () => {
  let server: RedisServerHandle | undefined;
  let child: ServeChild | undefined;
  let tmp: string;
  let rdb: string;

  beforeAll(async () => {
    buildCli();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-import-'));
    // the file: written by redis-server from keys of every type, two databases, TTLs, and a stream
    const dir = path.join(tmp, 'redis');
    fs.mkdirSync(dir);
    server = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    const c = new Redis({ port: server.port, host: '127.0.0.1' });
    const c7 = new Redis({ port: server.port, host: '127.0.0.1', db: 7 });
    try {
      await c.set('shared', 'theirs');
      await c.set(Buffer.from([0x00, 0xff]), Buffer.from([0xfe, 0x00]));
      await c.set('counter', '123');
      await c.rpush('list', 'a', 'b', 'c');
      await c.sadd('set', '1', '2', 'three');
      await c.hset('hash', 'f', 'v');
      await c.zadd('zset', '1.5', 'a', '-inf', 'b');
      await c.set('ttl', 'v', 'PX', 600_000);
      await c.xadd('stream', '*', 'f', 'v');
      await c7.set('seven', '7');
      await c.save();
    } finally {
      c.disconnect();
      c7.disconnect();
      await server.stop();
      server = undefined;
    }
    rdb = path.join(dir, 'dump.rdb');
  }, 60_000);

  afterAll(async () => {
    await child?.kill();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('imports into a data directory; BUSYKEY without --replace; durable; export shows the keys', async () => {
    const dataDir = path.join(tmp, 'data');
    await buildDataDir(dataDir);
    const manifest = () => fs.readFileSync(path.join(dataDir, 'manifest.json'));
    const before = manifest();

    // `shared` is in both: refused, nothing written
    const busy = await cli('import', rdb, '--data-dir', dataDir);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/BUSYKEY: 1 key of the file already exists \(first: "shared" in database 0\)/);
    expect(manifest().equals(before)).toBe(true);

    const ok = await cli('import', rdb, '--data-dir', dataDir, '--replace');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^RDB version 10 \(redis 7\.[\d.]+\), \d+ bytes, checksum ok$/m);
    expect(ok.stdout).toMatch(/^9 keys \(5 string, 1 list, 1 set, 1 zset, 1 hash\); db0: 8, db7: 1; 1 with a TTL$/m);
    expect(ok.stdout).toMatch(/^skipped \(not supported here\): 1 stream$/m);
    expect(ok.stdout).toMatch(/^imported 9 keys from .*dump\.rdb \(1 replaced keys already there\)$/m);
    expect(ok.stdout).toMatch(/^committed to .*: a snapshot at log position \d+, 11 keys in all$/m);

    // another process restoring the store sees the import and what was there before
    const e = await restored(dataDir);
    const x = (db: number, ...argv: string[]) =>
      str(
        e.execute(
          argv.map((a) => Buffer.from(a, 'latin1')),
          { id: 0, db, resp: 2 },
        ),
      );
    expect(x(0, 'GET', 'shared')).toBe('theirs');
    expect(x(0, 'GET', 'mine')).toBe('kept');
    expect(x(0, 'LRANGE', 'mylist', '0', '-1')).toBe('x');
    expect(x(0, 'GET', '\x00\xff')).toBe('\xfe\x00');
    expect(x(0, 'LRANGE', 'list', '0', '-1')).toBe('a,b,c');
    expect(x(0, 'SMEMBERS', 'set').split(',').sort()).toEqual(['1', '2', 'three']);
    expect(x(0, 'HGET', 'hash', 'f')).toBe('v');
    expect(x(0, 'ZRANGE', 'zset', '0', '-1')).toBe('b,a');
    expect(Number(x(0, 'PTTL', 'ttl'))).toBeGreaterThan(500_000);
    expect(x(0, 'EXISTS', 'stream')).toBe('0');
    expect(x(7, 'GET', 'seven')).toBe('7');
    // the snapshot covers it: nothing left to replay
    const m = JSON.parse(manifest().toString()) as { segments: unknown[]; snapshot: { keys: number } };
    expect(m.segments).toEqual([]);
    expect(m.snapshot.keys).toBe(11);

    // and `s3-index export` gives redis-server the same keys
    const out = path.join(tmp, 'export');
    fs.mkdirSync(out);
    expect((await cli('export', '--format', 'rdb', path.join(out, 'dump.rdb'), '--data-dir', dataDir)).code).toBe(0);
    server = await startRedisServer(['--dir', out, '--dbfilename', 'dump.rdb']);
    const c = new Redis({ port: server.port, host: '127.0.0.1' });
    try {
      expect(await c.dbsize()).toBe(10);
      expect(await c.get('shared')).toBe('theirs');
      expect(await c.zrange('zset', '0', '-1', 'WITHSCORES')).toEqual(['b', '-inf', 'a', '1.5']);
    } finally {
      c.disconnect();
      await server.stop();
      server = undefined;
    }
  }, 60_000);

  it('a damaged file: exit 1 with the reason, the store unchanged', async () => {
    const dataDir = path.join(tmp, 'data-bad');
    await buildDataDir(dataDir);
    const before = fs.readFileSync(path.join(dataDir, 'manifest.json'));
    const bad = path.join(tmp, 'bad.rdb');
    const bytes = fs.readFileSync(rdb);
    fs.writeFileSync(bad, bytes.subarray(0, bytes.length - 20));
    const r = await cli('import', bad, '--data-dir', dataDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.rdb: .*truncated/);
    expect(fs.readFileSync(path.join(dataDir, 'manifest.json')).equals(before)).toBe(true);
  }, 30_000);

  it('serve --import: the keys answer over RESP, and survive a restart without the flag', async () => {
    const dataDir = path.join(tmp, 'data-serve');
    child = await startServeChild({ dataDir, args: ['--import', rdb] });
    expect(child.stderr()).toMatch(/imported 9 keys from .*dump\.rdb/);
    expect(child.stderr()).toMatch(/the import is durable: snapshot at log position 1/);
    let c = new Redis({ port: child.respPort, host: '127.0.0.1' });
    try {
      expect(await c.get('shared')).toBe('theirs');
      expect(await c.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await c.zscore('zset', 'b')).toBe('-inf');
      expect(await c.pttl('ttl')).toBeGreaterThan(500_000);
      await c.select(7);
      expect(await c.get('seven')).toBe('7');
    } finally {
      c.disconnect();
    }
    // a crash right after the start loses nothing: the import was committed before clients were served
    await child.kill('SIGKILL');
    child = await startServeChild({ dataDir });
    c = new Redis({ port: child.respPort, host: '127.0.0.1' });
    try {
      expect(await c.dbsize()).toBe(8);
      expect(await c.hget('hash', 'f')).toBe('v');
    } finally {
      c.disconnect();
    }
    await child.kill('SIGTERM');
    // the same flag again: the keys are there now, so the start is refused (BUSYKEY) and says why
    const again = await startServeChild({ dataDir, args: ['--import', rdb] }).catch((err: Error) => err);
    expect(again).toBeInstanceOf(Error);
    expect((again as Error).message).toMatch(/--import .*dump\.rdb: BUSYKEY: 9 keys of the file already exist/);
    child = undefined;
  }, 60_000);

  it('refuses a data directory a running server uses; a server killed without stopping does not count', async () => {
    const dataDir = path.join(tmp, 'data-live');
    await buildDataDir(dataDir);
    child = await startServeChild({ dataDir });
    const before = fs.readFileSync(path.join(dataDir, 'manifest.json'));
    const refused = await cli('import', rdb, '--data-dir', dataDir, '--replace');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is in use by a running server (pid ${child.proc.pid} on this host)`);
    expect(fs.readFileSync(path.join(dataDir, 'manifest.json')).equals(before)).toBe(true);
    // so is a backfill straight into the store
    const backfill = await cli('backfill', 'some-bucket', '--data-dir', dataDir);
    expect(backfill.code).not.toBe(0);
    expect(backfill.stderr).toContain('is in use by a running server');
    expect(fs.readFileSync(path.join(dataDir, 'manifest.json')).equals(before)).toBe(true);
    // the server was not fenced off: it still takes writes
    const c = new Redis({ port: child.respPort, host: '127.0.0.1' });
    try {
      expect(await c.set('after', '1')).toBe('OK');
    } finally {
      c.disconnect();
    }
    // killed: its mark stays behind, names a process that runs no more, and is ignored (and removed)
    await child.kill('SIGKILL');
    child = undefined;
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('.serving-'))).toHaveLength(1);
    const ok = await cli('import', rdb, '--data-dir', dataDir, '--replace');
    expect(ok.code).toBe(0);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('.serving-'))).toEqual([]);
    // a server stopped with SIGTERM removes its mark
    child = await startServeChild({ dataDir });
    await child.kill('SIGTERM');
    child = undefined;
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('.serving-'))).toEqual([]);
  }, 60_000);
});
