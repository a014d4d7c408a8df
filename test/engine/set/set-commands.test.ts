import { engineHarness } from '../../helpers/engine';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };

describe('SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS', () => {
  it('adds, counts and removes members; the last SREM deletes the key', () => {
    const { exec } = engineHarness();
    expect(exec('sadd', 's', 'a', 'b', 'a')).toBe(2);
    expect(exec('sadd', 's', 'b', 'c')).toBe(1);
    expect(exec('scard', 's')).toBe(3);
    expect(exec('sismember', 's', 'a')).toBe(1);
    expect(exec('sismember', 's', 'z')).toBe(0);
    expect(exec('smismember', 's', 'a', 'z', 'c')).toEqual([1, 0, 1]);
    expect(exec('smismember', 'nokey', 'a', 'b')).toEqual([0, 0]);
    expect(exec('srem', 's', 'a', 'z', 'a')).toBe(1);
    expect(exec('srem', 'nokey', 'a')).toBe(0);
    expect(exec('srem', 's', 'b', 'c')).toBe(2);
    expect(exec('exists', 's')).toBe(0);
    expect(exec('scard', 's')).toBe(0);
    expect(exec('smembers', 's')).toEqual([]);
  });

  it('is binary safe', () => {
    const { exec, raw } = engineHarness();
    const m = Buffer.from([0, 0xff, 0x0d, 0x0a]);
    expect(exec('sadd', 's', m, '')).toBe(2);
    expect(exec('sismember', 's', m)).toBe(1);
    const r = raw('smembers', 's');
    expect(r.t).toBe('set');
    expect(r.t === 'set' && r.v.map((x) => (x.t === 'bulk' ? x.v : undefined))).toEqual([m, Buffer.from('')]);
  });

  it('lists an intset ascending and replies with a RESP3 set', () => {
    const { exec, raw } = engineHarness();
    exec('sadd', 's', '10', '-3', '2', '9223372036854775807', '-9223372036854775808', '0');
    expect(exec('smembers', 's')).toEqual(['-9223372036854775808', '-3', '0', '2', '10', '9223372036854775807']);
    expect(raw('smembers', 's').t).toBe('set');
    expect(raw('smembers', 'nokey')).toEqual({ t: 'set', v: [] });
  });

  it('answers WRONGTYPE for other types', () => {
    const { exec } = engineHarness();
    exec('set', 'str', 'x');
    for (const args of [
      ['sadd', 'str', 'a'],
      ['srem', 'str', 'a'],
      ['scard', 'str'],
      ['sismember', 'str', 'a'],
      ['smismember', 'str', 'a'],
      ['smembers', 'str'],
      ['spop', 'str'],
      ['spop', 'str', '0'],
      ['srandmember', 'str'],
      ['srandmember', 'str', '0'],
      ['sscan', 'str', '0'],
    ])
      expect(exec(...args)).toEqual(WRONGTYPE);
    expect(exec('get', 'str')).toBe('x');
  });

  it('keeps the TTL of a set it writes to', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', 'a');
    exec('expire', 's', '100');
    exec('sadd', 's', 'b');
    exec('srem', 's', 'a');
    expect(exec('ttl', 's')).toBe(100);
    expect(exec('type', 's')).toBe('set');
  });
});

describe('SMOVE', () => {
  it('moves a member, creating the destination and deleting an emptied source', () => {
    const { exec } = engineHarness();
    exec('sadd', 'src', 'a', 'b');
    expect(exec('smove', 'src', 'dst', 'a')).toBe(1);
    expect(exec('smove', 'src', 'dst', 'a')).toBe(0);
    expect(exec('smove', 'src', 'dst', 'b')).toBe(1);
    expect(exec('exists', 'src')).toBe(0);
    expect(exec('smembers', 'dst')).toEqual(['a', 'b']);
    exec('sadd', 'other', 'a');
    expect(exec('smove', 'dst', 'other', 'a')).toBe(1);
    expect(exec('smembers', 'other')).toEqual(['a']);
  });

  it('follows Redis in the order of its checks', () => {
    const { exec } = engineHarness();
    exec('set', 'str', 'x');
    exec('sadd', 's', 'a');
    expect(exec('smove', 'nokey', 'str', 'a')).toBe(0);
    expect(exec('smove', 'str', 's', 'a')).toEqual(WRONGTYPE);
    expect(exec('smove', 's', 'str', 'a')).toEqual(WRONGTYPE);
    expect(exec('smove', 's', 's', 'a')).toBe(1);
    expect(exec('smove', 's', 's', 'z')).toBe(0);
    expect(exec('smembers', 's')).toEqual(['a']);
  });
});

describe('SPOP / SRANDMEMBER', () => {
  it('pops single members until the key is gone', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', 'a', 'b', 'c');
    const popped = new Set<string>();
    for (let i = 0; i < 3; i++) popped.add(exec('spop', 's') as string);
    expect([...popped].sort()).toEqual(['a', 'b', 'c']);
    expect(exec('exists', 's')).toBe(0);
    expect(exec('spop', 's')).toBeNull();
    expect(exec('srandmember', 's')).toBeNull();
  });

  it('pops with a count, as a RESP3 set', () => {
    const { exec, raw } = engineHarness();
    exec('sadd', 's', ...Array.from({ length: 20 }, (_, i) => `m${i}`));
    const r = raw('spop', 's', '3');
    expect(r.t).toBe('set');
    const first = exec('spop', 's', '4') as string[];
    expect(new Set(first).size).toBe(4);
    expect(exec('scard', 's')).toBe(13);
    for (const m of first) expect(exec('sismember', 's', m)).toBe(0);
    const rest = exec('spop', 's', '12') as string[]; // rebuilds: 1 remains
    expect(new Set(rest).size).toBe(12);
    expect(exec('scard', 's')).toBe(1);
    expect(raw('spop', 's', '0')).toEqual({ t: 'set', v: [] });
    expect(exec('spop', 's', '100')).toHaveLength(1);
    expect(exec('exists', 's')).toBe(0);
    expect(raw('spop', 's', '5')).toEqual({ t: 'set', v: [] });
  });

  it('pops a whole intset in ascending order', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', '3', '1', '2');
    expect(exec('spop', 's', '3')).toEqual(['1', '2', '3']);
  });

  it('rejects bad counts like Redis', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', 'a');
    const positive = { error: 'ERR value is out of range, must be positive' };
    for (const bad of ['-1', 'x', '', '1.5', '9223372036854775808']) expect(exec('spop', 's', bad)).toEqual(positive);
    expect(exec('spop', 's', '1', '2')).toEqual(SYNTAX);
    expect(exec('srandmember', 's', '1', '2')).toEqual(SYNTAX);
    expect(exec('srandmember', 's', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('srandmember', 's', '-9223372036854775808')).toEqual({
      error: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    });
    expect(exec('spop', 'nokey', '-1')).toEqual(positive);
  });

  it('SRANDMEMBER: distinct members, the whole set, or picks with repeats, always as an array', () => {
    const { exec, raw } = engineHarness();
    exec('sadd', 's', 'a', 'b', 'c', 'd');
    const two = exec('srandmember', 's', '2') as string[];
    expect(new Set(two).size).toBe(2);
    expect((exec('srandmember', 's', '10') as string[]).sort()).toEqual(['a', 'b', 'c', 'd']);
    const many = exec('srandmember', 's', '-10') as string[];
    expect(many).toHaveLength(10);
    for (const m of many) expect(['a', 'b', 'c', 'd']).toContain(m);
    expect(raw('srandmember', 's', '10').t).toBe('array');
    expect(raw('srandmember', 's', '0')).toEqual({ t: 'array', v: [] });
    expect(raw('srandmember', 'nokey', '3')).toEqual({ t: 'array', v: [] });
    expect(exec('scard', 's')).toBe(4);
  });
});

describe('SINTER / SUNION / SDIFF and their STORE and CARD forms', () => {
  const setup = () => {
    const h = engineHarness();
    h.exec('sadd', 'a', 'x', 'y', 'z', '1');
    h.exec('sadd', 'b', 'y', 'z', 'w');
    h.exec('sadd', 'c', 'z');
    h.exec('set', 'str', 'v');
    return h;
  };
  const sorted = (x: unknown) => (x as string[]).slice().sort();

  it('computes the results and replies with RESP3 sets', () => {
    const { exec, raw } = setup();
    expect(sorted(exec('sinter', 'a', 'b'))).toEqual(['y', 'z']);
    expect(exec('sinter', 'a', 'b', 'c')).toEqual(['z']);
    expect(exec('sinter', 'a', 'nokey')).toEqual([]);
    expect(sorted(exec('sunion', 'a', 'b', 'nokey'))).toEqual(['1', 'w', 'x', 'y', 'z']);
    expect(sorted(exec('sdiff', 'a', 'b'))).toEqual(['1', 'x']);
    expect(exec('sdiff', 'nokey', 'a')).toEqual([]);
    for (const c of ['sinter', 'sunion', 'sdiff']) expect(raw(c, 'a', 'b').t).toBe('set');
  });

  it('checks every key type first', () => {
    const { exec } = setup();
    for (const c of ['sinter', 'sunion', 'sdiff']) {
      expect(exec(c, 'nokey', 'str')).toEqual(WRONGTYPE);
      expect(exec(c, 'str', 'nokey')).toEqual(WRONGTYPE);
      expect(exec(`${c}store`, 'd', 'nokey', 'str')).toEqual(WRONGTYPE);
    }
    expect(exec('sintercard', '2', 'nokey', 'str')).toEqual(WRONGTYPE);
  });

  it('stores results, replacing the destination whatever its type, and deletes it for an empty result', () => {
    const { exec } = setup();
    exec('set', 'd', 'old', 'EX', '100');
    expect(exec('sinterstore', 'd', 'a', 'b')).toBe(2);
    expect(exec('type', 'd')).toBe('set');
    expect(exec('ttl', 'd')).toBe(-1);
    expect(exec('sunionstore', 'd', 'd', 'c', 'b')).toBe(3);
    expect(sorted(exec('smembers', 'd'))).toEqual(['w', 'y', 'z']);
    expect(exec('sdiffstore', 'e', 'a', 'b')).toBe(2);
    expect(sorted(exec('smembers', 'e'))).toEqual(['1', 'x']);
    expect(exec('sinterstore', 'd', 'a', 'nokey')).toBe(0);
    expect(exec('exists', 'd')).toBe(0);
    expect(exec('sdiffstore', 'e', 'a', 'a')).toBe(0);
    expect(exec('exists', 'e')).toBe(0);
  });

  it('SINTERCARD counts up to LIMIT and checks its arguments like Redis', () => {
    const { exec } = setup();
    expect(exec('sintercard', '2', 'a', 'b')).toBe(2);
    expect(exec('sintercard', '2', 'a', 'b', 'LIMIT', '1')).toBe(1);
    expect(exec('sintercard', '2', 'a', 'b', 'limit', '0')).toBe(2);
    expect(exec('sintercard', '1', 'a', 'LIMIT', '1', 'LIMIT', '3')).toBe(3);
    expect(exec('sintercard', '2', 'a', 'nokey')).toBe(0);
    const numkeys = { error: 'ERR numkeys should be greater than 0' };
    for (const bad of ['0', '-1', 'x', '9223372036854775808']) expect(exec('sintercard', bad, 'a')).toEqual(numkeys);
    expect(exec('sintercard', '3', 'a', 'b')).toEqual({
      error: "ERR Number of keys can't be greater than number of args",
    });
    const negative = { error: "ERR LIMIT can't be negative" };
    expect(exec('sintercard', '1', 'a', 'LIMIT', '-1')).toEqual(negative);
    expect(exec('sintercard', '1', 'a', 'LIMIT', 'x')).toEqual(negative);
    expect(exec('sintercard', '1', 'a', 'LIMIT')).toEqual(SYNTAX);
    expect(exec('sintercard', '1', 'a', 'foo', '1')).toEqual(SYNTAX);
    // options are checked before the keys
    expect(exec('sintercard', '1', 'str', 'LIMIT', '-1')).toEqual(negative);
  });

  it('names its keys for COMMAND GETKEYS', () => {
    const { exec } = setup();
    expect(exec('command', 'getkeys', 'sintercard', '2', 'a', 'b', 'LIMIT', '1')).toEqual(['a', 'b']);
    expect(exec('command', 'getkeys', 'sinterstore', 'd', 'a', 'b')).toEqual(['d', 'a', 'b']);
    expect(exec('command', 'getkeys', 'smove', 'a', 'b', 'm')).toEqual(['a', 'b']);
  });
});

describe('SSCAN', () => {
  it('returns an intset whole, ascending, with cursor 0', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', '3', '1', '2', '12');
    expect(exec('sscan', 's', '0')).toEqual(['0', ['1', '2', '3', '12']]);
    expect(exec('sscan', 's', '7', 'count', '1', 'match', '1*')).toEqual(['0', ['1', '12']]);
    expect(exec('sscan', 'nokey', '0', 'count', '0')).toEqual(['0', []]);
  });

  it('walks a hashtable set with a cursor until it returns 0', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 100; i++) exec('sadd', 's', `m${i}`);
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, items] = exec('sscan', 's', cursor, 'COUNT', '7') as [string, string[]];
      seen.push(...items);
      cursor = next;
    } while (cursor !== '0');
    expect(new Set(seen).size).toBe(100);
    expect(seen).toHaveLength(100);
  });

  it('checks the cursor first and options after the key', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', 'a');
    expect(exec('sscan', 'nokey', 'x')).toEqual({ error: 'ERR invalid cursor' });
    expect(exec('sscan', 's', '0', 'count', '0')).toEqual(SYNTAX);
    expect(exec('sscan', 's', '0', 'count', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('sscan', 's', '0', 'match')).toEqual(SYNTAX);
    expect(exec('sscan', 's', '0', 'foo', 'bar')).toEqual(SYNTAX);
  });
});
