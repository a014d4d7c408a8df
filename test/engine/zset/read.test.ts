import { engineHarness } from '../../helpers/engine';
import { arity, MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING, putString, SYNTAX, WRONGTYPE } from './fixtures';

function seeded() {
  const h = engineHarness();
  h.exec('zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '-inf', 'lo', 'inf', 'hi');
  putString(h, 's');
  return h;
}

describe('ZSCORE / ZMSCORE / ZCARD', () => {
  it('reads scores as doubles, nil when absent', () => {
    const { exec, raw, session } = seeded();
    expect(exec('zscore', 'z', 'b')).toBe(2);
    expect(exec('zscore', 'z', 'hi')).toBe(Infinity);
    expect(exec('zscore', 'z', 'nope')).toBeNull();
    expect(exec('zscore', 'missing', 'a')).toBeNull();
    expect(exec('zscore', 's', 'a')).toEqual(WRONGTYPE);
    expect(raw('zscore', 'z', 'lo')).toEqual({ t: 'double', v: -Infinity });
    session.resp = 3;
    expect(raw('zscore', 'z', 'a')).toEqual({ t: 'double', v: 1 });
    expect(raw('zscore', 'z', 'x')).toEqual({ t: 'null' });
  });

  it('ZMSCORE replies per member', () => {
    const { exec } = seeded();
    expect(exec('zmscore', 'z', 'a', 'nope', 'c')).toEqual([1, null, 3]);
    expect(exec('zmscore', 'missing', 'a', 'b')).toEqual([null, null]);
    expect(exec('zmscore', 's', 'a')).toEqual(WRONGTYPE);
    expect(exec('zmscore', 'z')).toEqual(arity('zmscore'));
  });

  it('ZCARD counts members', () => {
    const { exec } = seeded();
    expect(exec('zcard', 'z')).toBe(5);
    expect(exec('zcard', 'missing')).toBe(0);
    expect(exec('zcard', 's')).toEqual(WRONGTYPE);
    expect(exec('zcard', 'z', 'x')).toEqual(arity('zcard'));
  });
});

describe('ZCOUNT / ZLEXCOUNT', () => {
  it('counts a score range', () => {
    const { exec } = seeded();
    expect(exec('zcount', 'z', '-inf', '+inf')).toBe(5);
    expect(exec('zcount', 'z', '1', '3')).toBe(3);
    expect(exec('zcount', 'z', '(1', '(3')).toBe(1);
    expect(exec('zcount', 'z', '(-inf', '(inf')).toBe(3);
    expect(exec('zcount', 'z', 'inf', 'inf')).toBe(1);
    expect(exec('zcount', 'z', '3', '1')).toBe(0);
    expect(exec('zcount', 'missing', '0', '1')).toBe(0);
    expect(exec('zcount', 'z', 'x', '1')).toEqual(MIN_MAX_NOT_FLOAT);
    expect(exec('zcount', 's', 'x', '1')).toEqual(MIN_MAX_NOT_FLOAT);
    expect(exec('zcount', 's', '0', '1')).toEqual(WRONGTYPE);
  });

  it('counts a lex range', () => {
    const { exec } = engineHarness();
    exec('zadd', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
    expect(exec('zlexcount', 'l', '-', '+')).toBe(4);
    expect(exec('zlexcount', 'l', '[b', '[c')).toBe(2);
    expect(exec('zlexcount', 'l', '(b', '[c')).toBe(1);
    expect(exec('zlexcount', 'l', '(a', '(b')).toBe(0);
    expect(exec('zlexcount', 'l', '+', '-')).toBe(0);
    expect(exec('zlexcount', 'missing', '-', '+')).toBe(0);
    expect(exec('zlexcount', 'l', 'b', '+')).toEqual(MIN_MAX_NOT_STRING);
  });
});

describe('ZRANK / ZREVRANK', () => {
  it('gives 0-based ranks from either end', () => {
    const { exec } = seeded();
    expect(exec('zrank', 'z', 'lo')).toBe(0);
    expect(exec('zrank', 'z', 'c')).toBe(3);
    expect(exec('zrevrank', 'z', 'c')).toBe(1);
    expect(exec('zrevrank', 'z', 'hi')).toBe(0);
    expect(exec('zrank', 'z', 'nope')).toBeNull();
    expect(exec('zrevrank', 'missing', 'a')).toBeNull();
    expect(exec('zrank', 's', 'a')).toEqual(WRONGTYPE);
  });

  it('WITHSCORE (Redis 7.2) adds the score, or a null array when absent', () => {
    const { exec, raw, session } = seeded();
    expect(exec('zrank', 'z', 'b', 'withscore')).toEqual([2, 2]);
    expect(exec('zrevrank', 'z', 'b', 'WITHSCORE')).toEqual([2, 2]);
    expect(exec('zrevrank', 'z', 'lo', 'withscore')).toEqual([4, -Infinity]);
    expect(raw('zrank', 'z', 'nope', 'withscore')).toEqual({ t: 'nullarray' });
    expect(raw('zrank', 'missing', 'a', 'withscore')).toEqual({ t: 'nullarray' });
    expect(exec('zrank', 'z', 'a', 'withscores')).toEqual(SYNTAX);
    expect(exec('zrank', 'z', 'a', 'withscore', 'x')).toEqual(arity('zrank'));
    expect(exec('zrevrank', 'z')).toEqual(arity('zrevrank'));
    session.resp = 3;
    expect(raw('zrank', 'z', 'a', 'withscore')).toEqual({
      t: 'array',
      v: [
        { t: 'int', v: 1 },
        { t: 'double', v: 1 },
      ],
    });
  });
});
