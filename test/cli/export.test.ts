/**
 * `s3-index export --format rdb FILE --data-dir DIR`, run as a user runs it (bin/s3-index.js on the built CLI): a
 * data directory written by the engine's persistence (a snapshot plus log batches after it) exported, then loaded
 * by redis-server, which must answer as the engine did. Plus the usage errors, in-process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { exportCommand } from '../../src/cli/export';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { createEngine } from '../../src/service/create-engine';
import { Persistence } from '../../src/service/persistence';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { buildCli } from '../helpers/serve-child';

const root = path.join(__dirname, '../..');
const run = promisify(execFile);

async function runExport(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await exportCommand(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** A data directory holding a snapshot and, after it, log batches. */
async function buildDataDir(dir: string): Promise<void> {
  const engine = createEngine();
  const p = await Persistence.open(engine, {
    store: await FsBlobStore.open(dir),
    policy: 'always',
    saveRules: [],
    log: () => undefined,
  });
  const barrier = p.durabilityBarrier();
  const exec = async (db: number, ...argv: (string | Buffer)[]) => {
    const r = engine.execute(
      argv.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a))),
      { id: 0, db, resp: 2 },
    );
    if (r.t === 'error') throw new Error(r.v);
    await barrier();
  };
  await exec(0, 'SET', Buffer.from([0x00, 0xff, 0x6b]), Buffer.from([0xff, 0x00]));
  await exec(0, 'RPUSH', 'list', 'a', 'b', 'c');
  await exec(0, 'HSET', 'hash', 'f1', 'v1', 'f2', '');
  await p.bgsave();
  // after the snapshot: in the log only
  await exec(0, 'SADD', 'set', 'x', 'y', '1');
  await exec(0, 'ZADD', 'zset', '-inf', 'lo', '1.5', 'mid', '+inf', 'hi');
  await exec(0, 'SET', 'ttl', 'v', 'PX', '600000');
  await exec(2, 'SET', 'db2', 'two');
  await exec(0, 'RPUSH', 'list', 'd');
  await p.close({ snapshot: false });
}

describe('s3-index export usage', () => {
  it('refuses other formats and missing arguments with exit 2', async () => {
    expect(await runExport('--format', 'json', 'out.rdb', '--data-dir', '/tmp')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/unknown format 'json'/),
    });
    expect((await runExport('out.rdb', '--data-dir', '/tmp')).code).toBe(2);
    expect((await runExport('--format', 'rdb', '--data-dir', '/tmp')).code).toBe(2);
    expect((await runExport('--format', 'rdb', 'out.rdb')).code).toBe(2);
    expect((await runExport('--format=rdb', 'out.rdb', '--data-dir', '/tmp', '--store', 's3://b/p')).code).toBe(2);
    expect((await runExport('--frobnicate')).code).toBe(2);
    expect((await runExport('--help')).code).toBe(0);
  });

  it('a directory that does not exist: exit 1, no file', async () => {
    const out = path.join(os.tmpdir(), `s3idx-export-none-${process.pid}.rdb`);
    const r = await runExport('--format', 'rdb', out, '--data-dir', '/nonexistent/dir');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is not a directory/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
  });
});

describeWithTool('redis-server')('s3-index export --format rdb (built CLI) loaded by redis-server', () => {
  let server: RedisServerHandle | undefined;
  let tmp: string;

  beforeAll(() => {
    buildCli();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-export-'));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('exports a data directory that redis-server loads with the same keys, values and TTLs', async () => {
    const dataDir = path.join(tmp, 'data');
    await buildDataDir(dataDir);
    const outDir = path.join(tmp, 'out');
    fs.mkdirSync(outDir);
    const file = path.join(outDir, 'dump.rdb');
    const { stdout } = await run(
      process.execPath,
      [path.join(root, 'bin/s3-index.js'), 'export', '--format', 'rdb', file, '--data-dir', dataDir],
      { cwd: root },
    );
    expect(stdout).toMatch(/^exported 7 keys .* to .*dump\.rdb: \d+ bytes\n$/);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
    expect(fs.readFileSync(file).subarray(0, 9).toString()).toBe('REDIS0010');

    server = await startRedisServer(['--dir', outDir, '--dbfilename', 'dump.rdb']);
    const c0 = new Redis({ port: server.port, host: '127.0.0.1', db: 0 });
    const c2 = new Redis({ port: server.port, host: '127.0.0.1', db: 2 });
    try {
      expect(await c0.dbsize()).toBe(6);
      expect(await c2.dbsize()).toBe(1);
      expect(await c0.getBuffer(Buffer.from([0x00, 0xff, 0x6b]))).toEqual(Buffer.from([0xff, 0x00]));
      expect(await c0.lrange('list', 0, -1)).toEqual(['a', 'b', 'c', 'd']);
      expect(await c0.hgetall('hash')).toEqual({ f1: 'v1', f2: '' });
      expect((await c0.smembers('set')).sort()).toEqual(['1', 'x', 'y']);
      expect(await c0.zrange('zset', '0', '-1', 'WITHSCORES')).toEqual(['lo', '-inf', 'mid', '1.5', 'hi', 'inf']);
      expect(await c0.get('ttl')).toBe('v');
      const pttl = await c0.pttl('ttl');
      expect(pttl).toBeGreaterThan(500_000);
      expect(pttl).toBeLessThanOrEqual(600_000);
      expect(await c0.pttl('list')).toBe(-1);
      expect(await c2.get('db2')).toBe('two');
    } finally {
      c0.disconnect();
      c2.disconnect();
    }
  }, 60_000);
});
