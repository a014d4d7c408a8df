/**
 * ACL categories and access levels of the whole command table.
 *
 * - The level of every command and subcommand is pinned by the hand-written table below (from Redis 7's
 *   categories): a new command that is not in it fails the test, so nobody adds a command without deciding who may
 *   run it.
 * - The categories COMMAND INFO reports are compared with the real redis-server's for every command and
 *   subcommand both have.
 */
import { type AccessLevel, aclCategories, levelAllows, requiredLevel } from '../../src/engine/acl';
import { createEngine } from '../../src/service/create-engine';
import { EXPECTED_LEVELS as EXPECTED, invocations } from '../helpers/acl-levels';
import { type Resp2, Resp2Client, toResp2 } from '../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';

const engine = createEngine();

describe('access levels of the command table', () => {
  it('every command and subcommand has the level the table pins (a new command must be added to it)', () => {
    const got: Record<string, AccessLevel> = {};
    for (const { name, spec, argv } of invocations(engine)) got[name] = requiredLevel(spec, argv);
    expect(got).toEqual(EXPECTED);
  });

  it('resolves the subcommand case-insensitively; an unknown one gets its container level', () => {
    const config = engine.table.get('config')!;
    const client = engine.table.get('client')!;
    expect(requiredLevel(config, [Buffer.from('CONFIG'), Buffer.from('SeT'), Buffer.from('x')])).toBe('admin');
    expect(requiredLevel(client, [Buffer.from('client'), Buffer.from('KILL')])).toBe('admin');
    expect(requiredLevel(client, [Buffer.from('client'), Buffer.from('SETNAME'), Buffer.from('n')])).toBe('ro');
    expect(requiredLevel(config, [Buffer.from('config'), Buffer.from('nosuch')])).toBe('ro');
  });

  it('orders the levels ro < rw < admin', () => {
    expect([levelAllows('ro', 'ro'), levelAllows('ro', 'rw'), levelAllows('ro', 'admin')]).toEqual([
      true,
      false,
      false,
    ]);
    expect([levelAllows('rw', 'ro'), levelAllows('rw', 'rw'), levelAllows('rw', 'admin')]).toEqual([true, true, false]);
    expect([levelAllows('admin', 'ro'), levelAllows('admin', 'rw'), levelAllows('admin', 'admin')]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('COMMAND INFO and COMMAND LIST FILTERBY ACLCAT report the categories', () => {
    // COMMAND INFO config → [[name, arity, flags, first, last, step, categories, tips, key specs, subcommands]]
    const info = toResp2(engine.exec('command', 'info', 'config'));
    const rows = info.t === '*' && info.v[0]!.t === '*' ? info.v[0]!.v : [];
    const strings = (r: Resp2 | undefined): string[] =>
      r?.t === '*' ? r.v.map((x) => (x.t === '+' ? x.v : x.t === '$' ? x.v.toString() : '?')) : [];
    expect(strings(rows[6])).toEqual(['@slow']);
    const subs = rows[9]?.t === '*' ? rows[9].v : [];
    const set = subs.find((r) => r.t === '*' && strings(r)[0] === 'config|set');
    expect(set?.t === '*' ? strings(set.v[6]).sort() : []).toEqual(['@admin', '@dangerous', '@slow']);
    const listed = engine.exec('command', 'list', 'filterby', 'aclcat', 'dangerous');
    const names = listed.t === 'array' ? listed.v.map((r) => (r.t === 'bulk' ? r.v.toString() : '')) : [];
    expect(names).toEqual(expect.arrayContaining(['keys', 'flushall', 'info', 'config|set', 'client|kill']));
    expect(names).not.toContain('get');
    expect(names).not.toContain('client|setname');
    // Redis matches the category name without '@'
    expect(engine.exec('command', 'list', 'filterby', 'aclcat', '@dangerous')).toEqual({ t: 'array', v: [] });
  });
});

const categoriesOf = (r: Resp2): string[] | undefined => {
  if (r.t !== '*' || r.v.length === 0) return undefined;
  const entry = r.v[0]!;
  if (entry.t !== '*') return undefined;
  const cats = entry.v[6]!;
  return cats.t === '*' ? cats.v.map((c) => (c.t === '+' ? c.v : '?')).sort() : undefined;
};

describeWithTool('redis-server')('ACL categories against redis-server', () => {
  let redis: RedisServerHandle;
  let client: Resp2Client;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = await Resp2Client.connect(redis.port);
  });
  afterAll(async () => {
    client?.close();
    await redis?.stop();
  });

  it('every command and subcommand Redis also has reports the same categories', async () => {
    const differ: string[] = [];
    let compared = 0;
    for (const { name, spec } of invocations(engine)) {
      // a container's own row (CONFIG, CLIENT) is not a command one can run; its subcommands are compared
      if (spec.subcommands && !name.includes('|')) continue;
      const theirs = categoriesOf(await client.call([Buffer.from('COMMAND'), Buffer.from('INFO'), Buffer.from(name)]));
      if (theirs === undefined) continue;
      compared++;
      const sub = name.includes('|') ? spec.subcommands!.find((s) => `${spec.name}|${s.name}` === name) : undefined;
      const ours = aclCategories(spec, sub)
        .map((c) => `@${c}`)
        .sort();
      if (ours.join(' ') !== theirs.join(' '))
        differ.push(`${name}: ours ${ours.join(' ')}, redis ${theirs.join(' ')}`);
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(130);
  });
});
