import { engineHarness } from '../../helpers/engine';
import { arity, NOT_INTEGER, putSet, putString, SYNTAX, WRONGTYPE } from './fixtures';

/** z1: a=1 b=2 c=3; z2: b=10 c=20 d=30; set: {c, d, x} */
function seeded() {
  const h = engineHarness();
  h.exec('zadd', 'z1', '1', 'a', '2', 'b', '3', 'c');
  h.exec('zadd', 'z2', '10', 'b', '20', 'c', '30', 'd');
  putString(h, 's');
  putSet(h, 'set', ['c', 'd', 'x']);
  return h;
}

describe('ZUNION / ZUNIONSTORE', () => {
  it('sums scores by default, ordered by score', () => {
    const { exec } = seeded();
    expect(exec('zunion', '2', 'z1', 'z2')).toEqual(['a', 'b', 'c', 'd']);
    expect(exec('zunion', '2', 'z1', 'z2', 'withscores')).toEqual(['a', 1, 'b', 12, 'c', 23, 'd', 30]);
    expect(exec('zunion', '3', 'z1', 'missing', 'z2', 'aggregate', 'min', 'withscores')).toEqual([
      'a',
      1,
      'b',
      2,
      'c',
      3,
      'd',
      30,
    ]);
    expect(exec('zunion', '2', 'z1', 'z2', 'aggregate', 'MAX', 'withscores')).toEqual([
      'a',
      1,
      'b',
      10,
      'c',
      20,
      'd',
      30,
    ]);
    expect(exec('zunion', '1', 'missing')).toEqual([]);
  });

  it('applies WEIGHTS (the last one given wins) and reads NaN products as 0', () => {
    const { exec } = seeded();
    expect(exec('zunion', '2', 'z1', 'z2', 'weights', '2', '-1', 'withscores')).toEqual([
      'd',
      -30,
      'c',
      -14,
      'b',
      -6,
      'a',
      2,
    ]);
    expect(exec('zunion', '1', 'z1', 'weights', '2', 'withscores', 'aggregate', 'max', 'weights', '3')).toEqual([
      'a',
      3,
      'b',
      6,
      'c',
      9,
    ]);
    exec('zadd', 'inf', 'inf', 'p', '-inf', 'n', '0', 'zero');
    expect(exec('zunion', '1', 'inf', 'weights', '0', 'withscores')).toEqual(['n', 0, 'p', 0, 'zero', 0]);
    expect(exec('zunion', '2', 'inf', 'inf', 'weights', '1', '-1', 'withscores')).toEqual(['n', 0, 'p', 0, 'zero', 0]);
  });

  it('keeps the sign of a -0 score in the reply, like Redis', () => {
    const { raw } = seeded();
    raw('zadd', 'zero', '0', 'a');
    const r = raw('zunion', '1', 'zero', 'weights', '-1', 'withscores');
    expect(r.t === 'array' && r.v[1]!.t === 'double' && Object.is(r.v[1]!.v, -0)).toBe(true);
  });

  it('takes plain sets as inputs scoring 1', () => {
    const { exec } = seeded();
    expect(exec('zunion', '2', 'z1', 'set', 'withscores')).toEqual(['a', 1, 'd', 1, 'x', 1, 'b', 2, 'c', 4]);
  });

  it('ZUNIONSTORE stores the result and deletes an empty destination', () => {
    const h = seeded();
    const { exec } = h;
    expect(exec('zunionstore', 'dst', '2', 'z1', 'z2', 'weights', '1', '0')).toBe(4);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['d', 0, 'a', 1, 'b', 2, 'c', 3]);
    expect(exec('zunionstore', 'dst', '1', 'missing')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
    expect(exec('zunionstore', 'z1', '2', 'z1', 'z1')).toBe(3);
    expect(exec('zrange', 'z1', '0', '-1', 'withscores')).toEqual(['a', 2, 'b', 4, 'c', 6]);
    putString(h, 'str');
    expect(exec('zunionstore', 'str', '1', 'z2')).toBe(3);
    expect(exec('type', 'str')).toBe('zset');
    expect(exec('zunionstore', 'dst', '1', 'z2', 'withscores')).toEqual(SYNTAX);
  });

  it('WITHSCORES pairs up in RESP3', () => {
    const { exec, session } = seeded();
    session.resp = 3;
    expect(exec('zunion', '1', 'z1', 'withscores')).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(exec('zinter', '2', 'z1', 'z2', 'withscores')).toEqual([
      ['b', 12],
      ['c', 23],
    ]);
  });
});

describe('ZINTER / ZINTERSTORE / ZINTERCARD', () => {
  it('keeps members present in every input', () => {
    const { exec } = seeded();
    expect(exec('zinter', '2', 'z1', 'z2', 'withscores')).toEqual(['b', 12, 'c', 23]);
    expect(exec('zinter', '2', 'z1', 'z2', 'aggregate', 'min', 'withscores')).toEqual(['b', 2, 'c', 3]);
    expect(exec('zinter', '2', 'z1', 'z2', 'weights', '1', '0.5', 'aggregate', 'max', 'withscores')).toEqual([
      'b',
      5,
      'c',
      10,
    ]);
    expect(exec('zinter', '3', 'z1', 'z2', 'set', 'withscores')).toEqual(['c', 24]);
    expect(exec('zinter', '2', 'z1', 'missing')).toEqual([]);
  });

  it('ZINTERSTORE stores, or deletes the destination when empty', () => {
    const { exec } = seeded();
    expect(exec('zinterstore', 'dst', '2', 'z1', 'z2')).toBe(2);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['b', 12, 'c', 23]);
    expect(exec('zinterstore', 'dst', '2', 'z1', 'missing')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
  });

  it('ZINTERCARD counts, stopping at LIMIT', () => {
    const { exec } = seeded();
    expect(exec('zintercard', '2', 'z1', 'z2')).toBe(2);
    expect(exec('zintercard', '2', 'z1', 'z2', 'limit', '1')).toBe(1);
    expect(exec('zintercard', '2', 'z1', 'z2', 'LIMIT', '0')).toBe(2);
    expect(exec('zintercard', '1', 'missing')).toBe(0);
    expect(exec('zintercard', '2', 'z1', 'set')).toBe(1);
    const negative = { error: "ERR LIMIT can't be negative" };
    expect(exec('zintercard', '1', 'z1', 'limit', '-1')).toEqual(negative);
    expect(exec('zintercard', '1', 'z1', 'limit', 'abc')).toEqual(negative);
    expect(exec('zintercard', '1', 'z1', 'weights', '1')).toEqual(SYNTAX);
    expect(exec('zintercard', '1', 'z1', 'withscores')).toEqual(SYNTAX);
    expect(exec('zintercard', '0', 'z1')).toEqual({
      error: "ERR at least 1 input key is needed for 'zintercard' command",
    });
    expect(exec('zintercard', '1', 's')).toEqual(WRONGTYPE);
  });
});

describe('ZDIFF / ZDIFFSTORE', () => {
  it('keeps members of the first input found in no other, with their own scores', () => {
    const { exec } = seeded();
    expect(exec('zdiff', '2', 'z1', 'z2', 'withscores')).toEqual(['a', 1]);
    expect(exec('zdiff', '2', 'z2', 'set')).toEqual(['b']);
    expect(exec('zdiff', '1', 'z2', 'withscores')).toEqual(['b', 10, 'c', 20, 'd', 30]);
    expect(exec('zdiff', '2', 'missing', 'z1')).toEqual([]);
    expect(exec('zdiff', '2', 'z1', 'z1')).toEqual([]);
  });

  it('ZDIFFSTORE stores the difference', () => {
    const { exec } = seeded();
    expect(exec('zdiffstore', 'dst', '2', 'z2', 'z1')).toBe(1);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['d', 30]);
    expect(exec('zdiffstore', 'dst', '2', 'z1', 'z1')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
  });

  it('takes neither WEIGHTS nor AGGREGATE', () => {
    const { exec } = seeded();
    expect(exec('zdiff', '1', 'z1', 'weights', '2')).toEqual(SYNTAX);
    expect(exec('zdiff', '1', 'z1', 'aggregate', 'sum')).toEqual(SYNTAX);
    expect(exec('zdiffstore', 'dst', '1', 'z1', 'withscores')).toEqual(SYNTAX);
  });
});

describe('argument errors shared by the set operations', () => {
  it('checks numkeys, then key types, then options', () => {
    const { exec } = seeded();
    expect(exec('zunion', '0', 'z1')).toEqual({ error: "ERR at least 1 input key is needed for 'zunion' command" });
    expect(exec('zinter', '-1', 'z1')).toEqual({ error: "ERR at least 1 input key is needed for 'zinter' command" });
    expect(exec('zunionstore', 'd', '0', 'z1')).toEqual({
      error: "ERR at least 1 input key is needed for 'zunionstore' command",
    });
    expect(exec('zdiffstore', 'd', '0', 'z1')).toEqual({
      error: "ERR at least 1 input key is needed for 'zdiffstore' command",
    });
    expect(exec('zunion', 'abc', 'z1')).toEqual(NOT_INTEGER);
    expect(exec('zunion', '2', 'z1')).toEqual(SYNTAX);
    expect(exec('zunion', '1', 's', 'weights', 'x')).toEqual(WRONGTYPE);
    expect(exec('zunion', '1', 'z1', 'weights')).toEqual(SYNTAX);
    expect(exec('zunion', '1', 'z1', 'weights', 'x')).toEqual({ error: 'ERR weight value is not a float' });
    expect(exec('zunion', '2', 'z1', 'z2', 'weights', '1')).toEqual(SYNTAX);
    expect(exec('zunion', '1', 'z1', 'aggregate', 'avg')).toEqual(SYNTAX);
    expect(exec('zunion', '1', 'z1', 'aggregate')).toEqual(SYNTAX);
    expect(exec('zinter', '1', 'z1', 'limit', '1')).toEqual(SYNTAX);
    expect(exec('zunion', '1')).toEqual(arity('zunion'));
    expect(exec('zinterstore', 'd', '1')).toEqual(arity('zinterstore'));
  });
});
