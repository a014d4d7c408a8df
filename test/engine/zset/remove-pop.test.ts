import { engineHarness } from '../../helpers/engine';
import { arity, MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING, NOT_INTEGER, putString, SYNTAX, WRONGTYPE } from './fixtures';

function seeded() {
  const h = engineHarness();
  h.exec('zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  putString(h, 's');
  return h;
}

describe('ZREM', () => {
  it('removes members and deletes the emptied key', () => {
    const { exec } = seeded();
    expect(exec('zrem', 'z', 'a', 'nope', 'a', 'b')).toBe(2);
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['c', 'd', 'e']);
    expect(exec('zrem', 'z', 'c', 'd', 'e', 'x')).toBe(3);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zrem', 'z', 'a')).toBe(0);
    expect(exec('zrem', 's', 'a')).toEqual(WRONGTYPE);
    expect(exec('zrem', 'z')).toEqual(arity('zrem'));
  });

  it('reports changes to watchers only when something was removed', () => {
    const { exec, engine } = seeded();
    const seen: string[] = [];
    engine.onModified((_db, key) => seen.push(key));
    exec('zrem', 'z', 'nope');
    expect(seen).toEqual([]);
    exec('zrem', 'z', 'a');
    expect(seen).toEqual(['z']);
  });
});

describe('ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX', () => {
  it('removes a rank range', () => {
    const { exec } = seeded();
    expect(exec('zremrangebyrank', 'z', '0', '1')).toBe(2);
    expect(exec('zremrangebyrank', 'z', '-1', '-1')).toBe(1);
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['c', 'd']);
    expect(exec('zremrangebyrank', 'z', '5', '10')).toBe(0);
    expect(exec('zremrangebyrank', 'z', '1', '0')).toBe(0);
    expect(exec('zremrangebyrank', 'z', '-100', '100')).toBe(2);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zremrangebyrank', 'z', 'a', '1')).toEqual(NOT_INTEGER);
    expect(exec('zremrangebyrank', 's', '0', '1')).toEqual(WRONGTYPE);
  });

  it('removes a score range', () => {
    const { exec } = seeded();
    expect(exec('zremrangebyscore', 'z', '(1', '3')).toBe(2);
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['a', 'd', 'e']);
    expect(exec('zremrangebyscore', 'z', '10', '20')).toBe(0);
    expect(exec('zremrangebyscore', 'z', '-inf', '+inf')).toBe(3);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zremrangebyscore', 'missing', '0', '1')).toBe(0);
    expect(exec('zremrangebyscore', 's', '0', 'x')).toEqual(MIN_MAX_NOT_FLOAT);
    expect(exec('zremrangebyscore', 's', '0', '1')).toEqual(WRONGTYPE);
  });

  it('removes a lex range', () => {
    const { exec } = engineHarness();
    exec('zadd', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
    expect(exec('zremrangebylex', 'l', '[b', '(d')).toBe(2);
    expect(exec('zrange', 'l', '0', '-1')).toEqual(['a', 'd']);
    expect(exec('zremrangebylex', 'l', '+', '-')).toBe(0);
    expect(exec('zremrangebylex', 'l', '-', '+')).toBe(2);
    expect(exec('exists', 'l')).toBe(0);
    expect(exec('zremrangebylex', 'l', 'a', '+')).toEqual(MIN_MAX_NOT_STRING);
  });
});

describe('ZPOPMIN / ZPOPMAX', () => {
  it('pops from either end, flat without count', () => {
    const { exec } = seeded();
    expect(exec('zpopmin', 'z')).toEqual(['a', 1]);
    expect(exec('zpopmax', 'z')).toEqual(['e', 5]);
    expect(exec('zpopmin', 'z', '2')).toEqual(['b', 2, 'c', 3]);
    expect(exec('zpopmax', 'z', '10')).toEqual(['d', 4]);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zpopmin', 'z')).toEqual([]);
    expect(exec('zpopmax', 'z', '3')).toEqual([]);
  });

  it('answers count 0 with an empty array and checks the count first', () => {
    const { exec } = seeded();
    const positive = { error: 'ERR value is out of range, must be positive' };
    expect(exec('zpopmin', 'z', '0')).toEqual([]);
    expect(exec('zcard', 'z')).toBe(5);
    expect(exec('zpopmin', 'z', '-1')).toEqual(positive);
    expect(exec('zpopmin', 'z', 'abc')).toEqual(positive);
    expect(exec('zpopmax', 's', 'abc')).toEqual(positive);
    expect(exec('zpopmax', 's', '1')).toEqual(WRONGTYPE);
    expect(exec('zpopmin', 'z', '1', '2')).toEqual(SYNTAX);
  });

  it('nests pairs in RESP3 only when a count is given', () => {
    const { exec, session } = seeded();
    session.resp = 3;
    expect(exec('zpopmin', 'z')).toEqual(['a', 1]);
    expect(exec('zpopmin', 'z', '1')).toEqual([['b', 2]]);
    expect(exec('zpopmax', 'z', '2')).toEqual([
      ['e', 5],
      ['d', 4],
    ]);
  });
});

describe('ZMPOP', () => {
  it('pops from the first non-empty key', () => {
    const { exec } = seeded();
    exec('zadd', 'y', '7', 'q');
    expect(exec('zmpop', '3', 'missing', 'z', 'y', 'min')).toEqual(['z', [['a', 1]]]);
    expect(exec('zmpop', '2', 'missing', 'z', 'MAX', 'count', '2')).toEqual([
      'z',
      [
        ['e', 5],
        ['d', 4],
      ],
    ]);
    expect(exec('zmpop', '2', 'z', 'y', 'min', 'COUNT', '10')).toEqual([
      'z',
      [
        ['b', 2],
        ['c', 3],
      ],
    ]);
    expect(exec('exists', 'z')).toBe(0);
    expect(exec('zmpop', '2', 'z', 'y', 'min')).toEqual(['y', [['q', 7]]]);
  });

  it('replies with a null array when every key is missing', () => {
    const { raw, session } = seeded();
    expect(raw('zmpop', '2', 'n1', 'n2', 'min')).toEqual({ t: 'nullarray' });
    session.resp = 3;
    expect(raw('zmpop', '1', 'n1', 'max', 'count', '3')).toEqual({ t: 'nullarray' });
  });

  it('validates numkeys, the direction and COUNT', () => {
    const { exec } = seeded();
    const numkeys = { error: 'ERR numkeys should be greater than 0' };
    const count = { error: 'ERR count should be greater than 0' };
    expect(exec('zmpop', '0', 'z', 'min')).toEqual(numkeys);
    expect(exec('zmpop', 'abc', 'z', 'min')).toEqual(numkeys);
    expect(exec('zmpop', '2', 'z', 'min')).toEqual(SYNTAX);
    expect(exec('zmpop', '1', 'z', 'foo')).toEqual(SYNTAX);
    expect(exec('zmpop', '1', 'z', 'min', 'count', '0')).toEqual(count);
    expect(exec('zmpop', '1', 'z', 'min', 'count', 'abc')).toEqual(count);
    expect(exec('zmpop', '1', 'z', 'min', 'count')).toEqual(SYNTAX);
    expect(exec('zmpop', '1', 'z', 'min', 'count', '1', 'count', '1')).toEqual(SYNTAX);
    expect(exec('zmpop', '1', 'z')).toEqual(arity('zmpop'));
    expect(exec('zmpop', '2', 'missing', 's', 'min')).toEqual(WRONGTYPE);
    expect(exec('zcard', 'z')).toBe(5);
  });
});
