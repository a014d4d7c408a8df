import { engineHarness } from '../../helpers/engine';
import { arity, NOT_FLOAT, putString, SYNTAX, WRONGTYPE } from './fixtures';

describe('ZADD', () => {
  it('adds members, updates scores and replies with the number added', () => {
    const { exec } = engineHarness();
    expect(exec('zadd', 'z', '1', 'a', '2', 'b')).toBe(2);
    expect(exec('zadd', 'z', '3', 'a', '4', 'c')).toBe(1);
    expect(exec('zrange', 'z', '0', '-1', 'withscores')).toEqual(['b', 2, 'a', 3, 'c', 4]);
    expect(exec('zadd', 'z', '1', 'x', '2', 'x')).toBe(1);
    expect(exec('zscore', 'z', 'x')).toBe(2);
    expect(exec('type', 'z')).toBe('zset');
  });

  it('counts changed members with CH', () => {
    const { exec } = engineHarness();
    expect(exec('zadd', 'z', 'ch', '1', 'a', '2', 'a')).toBe(2);
    expect(exec('zadd', 'z', 'CH', '2', 'a', '5', 'b')).toBe(1);
    expect(exec('zadd', 'z', 'ch', '3', 'a', '5', 'b')).toBe(1);
  });

  it('NX only adds, XX only updates (and never creates the key)', () => {
    const { exec } = engineHarness();
    expect(exec('zadd', 'z', 'xx', '1', 'a')).toBe(0);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zadd', 'z', 'xx', 'incr', '1', 'a')).toBeNull();
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zadd', 'z', 'nx', '1', 'a')).toBe(1);
    expect(exec('zadd', 'z', 'nx', 'ch', '5', 'a', '2', 'b')).toBe(1);
    expect(exec('zadd', 'z', 'xx', 'ch', '7', 'a', '9', 'c')).toBe(1);
    expect(exec('zrange', 'z', '0', '-1', 'withscores')).toEqual(['b', 2, 'a', 7]);
  });

  it('GT and LT only move scores in one direction but still add new members', () => {
    const { exec } = engineHarness();
    exec('zadd', 'z', '5', 'a');
    expect(exec('zadd', 'z', 'gt', 'ch', '4', 'a', '1', 'new')).toBe(1);
    expect(exec('zscore', 'z', 'a')).toBe(5);
    expect(exec('zadd', 'z', 'gt', 'ch', '6', 'a')).toBe(1);
    expect(exec('zadd', 'z', 'lt', 'ch', '7', 'a')).toBe(0);
    expect(exec('zadd', 'z', 'lt', 'ch', '3', 'a')).toBe(1);
    expect(exec('zadd', 'z', 'xx', 'gt', 'ch', '4', 'a', '1', 'other')).toBe(1);
    expect(exec('zrange', 'z', '0', '-1', 'withscores')).toEqual(['new', 1, 'a', 4]);
  });

  it('INCR replies with the new score, or nil when NX/XX/GT/LT blocked it', () => {
    const { exec } = engineHarness();
    expect(exec('zadd', 'z', 'incr', '1.5', 'a')).toBe(1.5);
    expect(exec('zadd', 'z', 'INCR', '2', 'a')).toBe(3.5);
    expect(exec('zadd', 'z', 'nx', 'incr', '1', 'a')).toBeNull();
    expect(exec('zadd', 'z', 'xx', 'incr', '1', 'missing')).toBeNull();
    expect(exec('zadd', 'z', 'gt', 'incr', '-1', 'a')).toBeNull();
    expect(exec('zadd', 'z', 'lt', 'incr', '-1', 'a')).toBe(2.5);
    expect(exec('zadd', 'z', 'ch', 'incr', '0', 'a')).toBe(2.5);
    expect(exec('zadd', 'z', 'incr', 'inf', 'a')).toBe(Infinity);
    expect(exec('zadd', 'z', 'incr', '-inf', 'a')).toEqual({ error: 'ERR resulting score is not a number (NaN)' });
    expect(exec('zscore', 'z', 'a')).toBe(Infinity);
  });

  it('rejects incompatible options and malformed pairs, before touching the key', () => {
    const { exec } = engineHarness();
    expect(exec('zadd', 'z', 'nx', 'xx', '1', 'a')).toEqual({
      error: 'ERR XX and NX options at the same time are not compatible',
    });
    const gtLtNx = { error: 'ERR GT, LT, and/or NX options at the same time are not compatible' };
    expect(exec('zadd', 'z', 'gt', 'lt', '1', 'a')).toEqual(gtLtNx);
    expect(exec('zadd', 'z', 'nx', 'gt', '1', 'a')).toEqual(gtLtNx);
    expect(exec('zadd', 'z', 'lt', 'nx', '1', 'a')).toEqual(gtLtNx);
    expect(exec('zadd', 'z', 'incr', '1', 'a', '2', 'b')).toEqual({
      error: 'ERR INCR option supports a single increment-element pair',
    });
    expect(exec('zadd', 'z', '1', 'a', '2')).toEqual(SYNTAX);
    expect(exec('zadd', 'z', 'incr', '1')).toEqual(SYNTAX);
    expect(exec('zadd', 'z', 'foo', '1', 'a')).toEqual(SYNTAX);
    expect(exec('zadd', 'z', '1')).toEqual(arity('zadd'));
    expect(exec('zadd', 'z', 'ch')).toEqual(arity('zadd'));
    expect(exec('exists', 'z')).toBe(0);
  });

  it("parses scores like Redis's string2d", () => {
    const { exec } = engineHarness();
    for (const bad of ['abc', 'nan', '', ' 1', '1 ', '1e400', '-1e400', '1e-400', '1e', '0x']) {
      expect(exec('zadd', 'z', bad, 'a')).toEqual(NOT_FLOAT);
    }
    // one bad score anywhere means nothing is added
    expect(exec('zadd', 'z', '1', 'a', 'x', 'b')).toEqual(NOT_FLOAT);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zadd', 'z', '+inf', 'a', '-Infinity', 'b', '1e-310', 'c', '0x10', 'd', '-0', 'e', '.5', 'f')).toBe(6);
    expect(exec('zrange', 'z', '0', '-1', 'withscores')).toEqual([
      'b',
      -Infinity,
      'e',
      0,
      'c',
      1e-310,
      'f',
      0.5,
      'd',
      16,
      'a',
      Infinity,
    ]);
    expect(Object.is(exec('zscore', 'z', 'e'), 0)).toBe(true);
    // the reply keeps the sign of a computed -0, the stored score does not (as in Redis's listpack)
    expect(Object.is(exec('zadd', 'n', 'incr', '-0', 'q'), -0)).toBe(true);
    expect(Object.is(exec('zscore', 'n', 'q'), 0)).toBe(true);
  });

  it('refuses to touch other types', () => {
    const h = engineHarness();
    const { exec } = h;
    putString(h, 's');
    expect(exec('zadd', 's', '1', 'a')).toEqual(WRONGTYPE);
    expect(exec('zadd', 's', 'xx', '1', 'a')).toEqual(WRONGTYPE);
    // score errors come first
    expect(exec('zadd', 's', 'x', 'a')).toEqual(NOT_FLOAT);
    expect(exec('zincrby', 's', '1', 'a')).toEqual(WRONGTYPE);
  });

  it('treats members as bytes and orders equal scores by memcmp', () => {
    const { exec, raw } = engineHarness();
    const hi = Buffer.from([0xff]);
    const nul = Buffer.from([0x00, 0x41]);
    expect(exec('zadd', 'z', '0', hi, '0', 'a', '0', nul, '0', 'B', '0', '')).toBe(5);
    const r = raw('zrange', 'z', '0', '-1');
    expect(r.t === 'array' && r.v.map((x) => (x.t === 'bulk' ? x.v.toString('hex') : '?'))).toEqual([
      '',
      '0041',
      '42',
      '61',
      'ff',
    ]);
    expect(exec('zscore', 'z', hi)).toBe(0);
  });

  it('replies with a double for INCR in both protocols', () => {
    const { raw, session } = engineHarness();
    expect(raw('zadd', 'z', 'incr', '0.1', 'a')).toEqual({ t: 'double', v: 0.1 });
    expect(raw('zadd', 'z', 'nx', 'incr', '0.1', 'a')).toEqual({ t: 'null' });
    session.resp = 3;
    expect(raw('zincrby', 'z', '0.2', 'a')).toEqual({ t: 'double', v: 0.1 + 0.2 });
  });
});

describe('ZINCRBY', () => {
  it('creates the key and member, then increments', () => {
    const { exec } = engineHarness();
    expect(exec('zincrby', 'z', '5', 'a')).toBe(5);
    expect(exec('zincrby', 'z', '-2.5', 'a')).toBe(2.5);
    expect(exec('zincrby', 'z', '-0', 'a')).toBe(2.5);
    expect(exec('zincrby', 'z', 'inf', 'a')).toBe(Infinity);
    expect(exec('zincrby', 'z', '-inf', 'a')).toEqual({ error: 'ERR resulting score is not a number (NaN)' });
    expect(exec('zscore', 'z', 'a')).toBe(Infinity);
  });

  it('checks the increment and arity', () => {
    const { exec } = engineHarness();
    expect(exec('zincrby', 'z', 'abc', 'a')).toEqual(NOT_FLOAT);
    expect(exec('zincrby', 'z', '1')).toEqual(arity('zincrby'));
    expect(exec('zincrby', 'z', '1', 'a', 'b')).toEqual(arity('zincrby'));
    expect(exec('exists', 'z')).toBe(0);
  });
});
