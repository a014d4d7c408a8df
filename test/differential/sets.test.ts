import { Engine } from '../../src/engine/engine';
import { engineTarget, type Resp2, Resp2Client, showResp2, type Target } from '../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { describeDifferential } from './harness';
import { Rng } from './random';
import { FIXED_SEEDS, generateSequence } from './runner';
import { SETS } from './sets';

describeDifferential(SETS);

/** The command list of issue 24, verbatim. */
const ISSUE_COMMANDS =
  'SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN'
    .split(' ')
    .map((c) => c.toLowerCase());

describe('differential coverage: sets', () => {
  it('every command of the issue is registered in the engine', () => {
    const engine = new Engine();
    expect(ISSUE_COMMANDS.filter((c) => !engine.lookupCommand(c))).toEqual([]);
  });

  it('every command of the issue is produced by the generator, in the default seeds', () => {
    const produced = new Set<string>();
    for (const seed of FIXED_SEEDS)
      for (const s of generateSequence(SETS, seed, 300)) produced.add(s.argv[0]!.toString('latin1').toLowerCase());
    expect(ISSUE_COMMANDS.filter((c) => !produced.has(c))).toEqual([]);
  });
});

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const cmd = (t: Target, ...args: string[]): Promise<Resp2> => t(args.map(B));
const members = (r: Resp2): string[] => {
  if (r.t !== '*') throw new Error(`not an array: ${showResp2(r)}`);
  return r.v.map((x) => {
    if (x.t !== '$') throw new Error(`not a bulk: ${showResp2(x)}`);
    return x.v.toString('latin1');
  });
};
const ints = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));

/**
 * What a random command leaves deterministic, run on both sides from the same set: reply sizes, that popped
 * members came from the set and are gone from it, the remaining size, and the encoding afterwards (which for
 * SPOP with a count depends on the size only: a rebuilt remainder gets the encoding of its contents).
 */
describeWithTool('redis-server')('differential vs redis-server: random set commands', () => {
  let server: RedisServerHandle;
  let client: Resp2Client;
  const engine = new Engine();
  const sides: Array<[string, Target]> = [];

  beforeAll(async () => {
    server = await startRedisServer();
    client = await Resp2Client.connect(server.port);
    sides.push(['redis-server', (argv) => client.call(argv)], ['engine', engineTarget(engine)]);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  /** Runs `script` on both sides from an empty database and returns each side's observations. */
  async function both(script: (t: Target) => Promise<unknown>): Promise<[unknown, unknown]> {
    const out: unknown[] = [];
    for (const [, t] of sides) {
      await cmd(t, 'FLUSHALL');
      out.push(await script(t));
    }
    return out as [unknown, unknown];
  }

  const CASES: Array<[string, string[], string[]]> = [
    ['a small intset', ints(1, 10), []],
    ['a small hashtable', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], []],
    ['an intset converted by a string since removed', ints(-3, 12), ['x']],
    ['a large hashtable of integers', ints(0, 700), []],
    ['a large hashtable of strings', ints(0, 300).map((i) => `m${i}`), []],
  ];
  const countsFor = (n: number): string[] => ['1', '2', String(Math.floor(n / 2)), String(n - 1), String(n)];

  it.each(CASES)('SPOP with a count on %s', async (_, contents, removed) => {
    for (const count of countsFor(contents.length)) {
      const [a, b] = await both(async (t) => {
        await cmd(t, 'SADD', 's', ...contents, ...removed);
        if (removed.length > 0) await cmd(t, 'SREM', 's', ...removed);
        const before = new Set(members(await cmd(t, 'SMEMBERS', 's')));
        const popped = members(await cmd(t, 'SPOP', 's', count));
        const after = members(await cmd(t, 'SMEMBERS', 's'));
        const ok =
          new Set(popped).size === popped.length &&
          popped.every((m) => before.has(m)) &&
          after.every((m) => before.has(m) && !popped.includes(m)) &&
          after.length + popped.length === before.size;
        return {
          popped: popped.length,
          ok,
          after: after.length,
          exists: await cmd(t, 'EXISTS', 's'),
          encoding: await cmd(t, 'OBJECT', 'ENCODING', 's'),
          // the whole set comes back in the set's order (ascending for an intset)
          whole: count === String(contents.length) ? popped : undefined,
        };
      });
      // an intset's order is ascending; a hashtable's is its own
      const whole = contents.length <= 512 && contents.every((m) => /^-?\d+$/.test(m)) && removed.length === 0;
      expect({ count, ...(b as object), whole: whole ? (b as { whole: unknown }).whole : undefined }).toEqual({
        count,
        ...(a as object),
        whole: whole ? (a as { whole: unknown }).whole : undefined,
      });
    }
  });

  it.each(CASES)('SPOP and SRANDMEMBER without a count, SRANDMEMBER with one, on %s', async (_, contents) => {
    const [a, b] = await both(async (t) => {
      await cmd(t, 'SADD', 's', ...contents);
      const all = new Set(contents);
      const obs: unknown[] = [];
      const one = await cmd(t, 'SPOP', 's');
      obs.push(one.t === '$' && all.has(one.v.toString('latin1')), await cmd(t, 'SCARD', 's'));
      obs.push(await cmd(t, 'SISMEMBER', 's', one.t === '$' ? one.v.toString('latin1') : ''));
      all.delete(one.t === '$' ? one.v.toString('latin1') : '');
      const rand = await cmd(t, 'SRANDMEMBER', 's');
      obs.push(rand.t === '$' && all.has(rand.v.toString('latin1')));
      for (const count of ['1', '3', String(all.size - 1), String(all.size), '-1', '-7', String(-all.size - 3)]) {
        const got = members(await cmd(t, 'SRANDMEMBER', 's', count));
        const distinct = new Set(got).size;
        obs.push([count, got.length, got.every((m) => all.has(m)), Number(count) > 0 ? distinct === got.length : true]);
      }
      obs.push(await cmd(t, 'SCARD', 's'), await cmd(t, 'OBJECT', 'ENCODING', 's'));
      return obs;
    });
    expect(b).toEqual(a);
  });

  it('SPOP with a count rebuilds the set only when few members remain, as Redis does (encodings over many sizes)', async () => {
    const rng = new Rng(24);
    for (let i = 0; i < 25; i++) {
      const n = rng.int(500, 700);
      const count = rng.int(1, n + 2);
      const [a, b] = await both(async (t) => {
        await cmd(t, 'SADD', 's', ...ints(0, n));
        const popped = members(await cmd(t, 'SPOP', 's', String(count)));
        return [popped.length, await cmd(t, 'SCARD', 's'), await cmd(t, 'OBJECT', 'ENCODING', 's')];
      });
      expect([n, count, b]).toEqual([n, count, a]);
    }
  });

  it('COMMAND INFO: arity, flags, key triplet and ACL categories as redis-server reports them', async () => {
    const head = (r: Resp2): string => {
      if (r.t !== '*') return showResp2(r);
      // the engine does not report Redis's derived `movablekeys` flag for any numkeys command (ZINTERCARD neither)
      return r.v
        .map((c) => (c.t === '*' ? showResp2({ t: '*', v: c.v.slice(0, 7) }).replace(', +movablekeys', '') : ''))
        .join('\n');
    };
    const [a, b] = await both(async (t) => head(await cmd(t, 'COMMAND', 'INFO', ...ISSUE_COMMANDS)));
    expect(b).toEqual(a);
  });

  it('encodings and orders across conversions', async () => {
    const [a, b] = await both(async (t) => {
      const obs: Resp2[] = [];
      const enc = async (k: string) => obs.push(await cmd(t, 'OBJECT', 'ENCODING', k));
      await cmd(t, 'SADD', 'big', ...ints(-5, 512));
      await enc('big');
      await cmd(t, 'SADD', 'big', '100000');
      await enc('big');
      await cmd(t, 'SREM', 'big', ...ints(0, 600));
      await enc('big');
      await cmd(t, 'SADD', 'mixed', '3', '1', 'x', '2');
      await cmd(t, 'SREM', 'mixed', 'x');
      await enc('mixed');
      // store results start as intsets, whatever their sources were
      obs.push(await cmd(t, 'SINTERSTORE', 'inter', 'mixed', 'big'));
      await enc('inter');
      obs.push(await cmd(t, 'SUNIONSTORE', 'union', 'mixed', 'big'));
      await enc('union');
      obs.push(await cmd(t, 'SUNION', 'mixed', 'big'), await cmd(t, 'SDIFF', 'mixed', 'nosuch'));
      obs.push(await cmd(t, 'SDIFFSTORE', 'diff', 'big', 'mixed'));
      await enc('diff');
      // SMOVE: a string converts the destination, an integer creates an intset
      obs.push(await cmd(t, 'SADD', 'src', '7', 'y', '-9223372036854775808'));
      obs.push(await cmd(t, 'SMOVE', 'src', 'd1', '7'));
      await enc('d1');
      obs.push(await cmd(t, 'SMOVE', 'src', 'd1', 'y'));
      await enc('d1');
      obs.push(await cmd(t, 'SMOVE', 'd1', 'src', 'y'));
      await enc('d1');
      obs.push(await cmd(t, 'SMOVE', 'src', 'd1', '-9223372036854775808'), await cmd(t, 'SCARD', 'd1'));
      await enc('d1');
      // intsets list ascending, SSCAN included (whole, cursor 0)
      obs.push(await cmd(t, 'SMEMBERS', 'inter'), await cmd(t, 'SMEMBERS', 'diff'));
      obs.push(await cmd(t, 'SSCAN', 'inter', '0', 'MATCH', '*1*', 'COUNT', '1'));
      // near-integers are strings to an intset
      for (const m of ['007', '-0', '+1', '9223372036854775808']) {
        await cmd(t, 'DEL', 'n');
        await cmd(t, 'SADD', 'n', '1', m);
        await enc('n');
      }
      return obs;
    });
    expect(b).toEqual(a);
  });
});
