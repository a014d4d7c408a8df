import { SortedSet } from '../../../src/engine/structures/sortedset';
import { engineHarness } from '../../helpers/engine';
import { MIN_MAX_NOT_FLOAT, MIN_MAX_NOT_STRING, NOT_INTEGER, putString, SYNTAX, WRONGTYPE } from './fixtures';

const LIMIT_NEEDS_BY = {
  error: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
};
const WITHSCORES_BYLEX = { error: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX' };

/** z: a=1 b=2 c=3 d=4 e=5; lex: the same letters all at score 0 */
function seeded() {
  const h = engineHarness();
  h.exec('zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  h.exec('zadd', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e');
  return h;
}

describe('ZRANGE by rank', () => {
  it('takes negative and out-of-range indexes like Redis', () => {
    const { exec } = seeded();
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(exec('zrange', 'z', '1', '2')).toEqual(['b', 'c']);
    expect(exec('zrange', 'z', '-2', '-1')).toEqual(['d', 'e']);
    expect(exec('zrange', 'z', '-100', '1')).toEqual(['a', 'b']);
    expect(exec('zrange', 'z', '3', '100')).toEqual(['d', 'e']);
    expect(exec('zrange', 'z', '5', '10')).toEqual([]);
    expect(exec('zrange', 'z', '2', '1')).toEqual([]);
    expect(exec('zrange', 'z', '0', '-100')).toEqual([]);
    expect(exec('zrange', 'missing', '0', '-1')).toEqual([]);
  });

  it('REV and ZREVRANGE index from the top', () => {
    const { exec } = seeded();
    expect(exec('zrange', 'z', '0', '1', 'rev')).toEqual(['e', 'd']);
    expect(exec('zrevrange', 'z', '0', '1')).toEqual(['e', 'd']);
    expect(exec('zrevrange', 'z', '-2', '-1', 'withscores')).toEqual(['b', 2, 'a', 1]);
    expect(exec('zrevrange', 'z', '1', '100')).toEqual(['d', 'c', 'b', 'a']);
  });

  it('WITHSCORES is flat in RESP2 and [member, score] pairs in RESP3', () => {
    const { exec, raw, session } = seeded();
    expect(exec('zrange', 'z', '0', '1', 'withscores')).toEqual(['a', 1, 'b', 2]);
    expect(raw('zrange', 'z', '0', '0', 'withscores')).toEqual({
      t: 'array',
      v: [
        { t: 'bulk', v: Buffer.from('a') },
        { t: 'double', v: 1 },
      ],
    });
    session.resp = 3;
    expect(exec('zrange', 'z', '0', '1', 'withscores')).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(exec('zrangebyscore', 'z', '4', '+inf', 'withscores')).toEqual([
      ['d', 4],
      ['e', 5],
    ]);
    expect(exec('zrevrange', 'z', '0', '0', 'withscores')).toEqual([['e', 5]]);
    expect(exec('zrange', 'z', '0', '1')).toEqual(['a', 'b']);
  });

  it('rejects bad indexes and options', () => {
    const h = seeded();
    putString(h, 's');
    const { exec } = h;
    expect(exec('zrange', 'z', 'a', '1')).toEqual(NOT_INTEGER);
    expect(exec('zrange', 'z', '0', '1.5')).toEqual(NOT_INTEGER);
    expect(exec('zrange', 'z', '0', '-1', 'limit', '0', '5')).toEqual(LIMIT_NEEDS_BY);
    // LIMIT 0 -1 is "no limit", which a rank range accepts
    expect(exec('zrange', 'z', '0', '1', 'limit', '0', '-1')).toEqual(['a', 'b']);
    expect(exec('zrange', 'z', '0', '-1', 'limit', '0')).toEqual(SYNTAX);
    expect(exec('zrange', 'z', '0', '-1', 'limit', 'a', 'b')).toEqual(NOT_INTEGER);
    expect(exec('zrange', 'z', '0', '-1', 'rev', 'rev')).toEqual(SYNTAX);
    expect(exec('zrange', 'z', '0', '-1', 'byscore', 'bylex')).toEqual(SYNTAX);
    expect(exec('zrange', 'z', '0', '-1', 'foo')).toEqual(SYNTAX);
    expect(exec('zrevrange', 'z', '0', '-1', 'rev')).toEqual(SYNTAX);
    expect(exec('zrevrange', 'z', '0', '-1', 'limit', '0', '1')).toEqual(LIMIT_NEEDS_BY);
    expect(exec('zrange', 's', '0', '-1')).toEqual(WRONGTYPE);
    expect(exec('zrange', 's', 'x', '-1')).toEqual(NOT_INTEGER);
  });
});

describe('ZRANGE BYSCORE / ZRANGEBYSCORE / ZREVRANGEBYSCORE', () => {
  it('takes inclusive, exclusive and infinite bounds', () => {
    const { exec } = seeded();
    expect(exec('zrangebyscore', 'z', '2', '4')).toEqual(['b', 'c', 'd']);
    expect(exec('zrangebyscore', 'z', '(2', '(4')).toEqual(['c']);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(exec('zrangebyscore', 'z', '(1', 'inf', 'withscores')).toEqual(['b', 2, 'c', 3, 'd', 4, 'e', 5]);
    expect(exec('zrangebyscore', 'z', '3', '3')).toEqual(['c']);
    expect(exec('zrangebyscore', 'z', '(3', '3')).toEqual([]);
    expect(exec('zrangebyscore', 'z', '4', '2')).toEqual([]);
    expect(exec('zrange', 'z', '2', '4', 'byscore')).toEqual(['b', 'c', 'd']);
    expect(exec('zrangebyscore', 'missing', '-inf', '+inf')).toEqual([]);
  });

  it('reads bounds with strtod: spaces before, "" as 0, hex, overflow to inf', () => {
    const { exec } = seeded();
    expect(exec('zrangebyscore', 'z', ' 1', '(3')).toEqual(['a', 'b']);
    expect(exec('zrangebyscore', 'z', '(', '3')).toEqual(['a', 'b', 'c']);
    expect(exec('zrangebyscore', 'z', '', '')).toEqual([]);
    expect(exec('zrangebyscore', 'z', '0x1', '0x3')).toEqual(['a', 'b', 'c']);
    expect(exec('zrangebyscore', 'z', '1e400', 'inf')).toEqual([]);
    for (const bad of ['1 ', ' ', 'nan', 'abc', '((1', '1e']) {
      expect(exec('zrangebyscore', 'z', bad, '3')).toEqual(MIN_MAX_NOT_FLOAT);
      expect(exec('zrange', 'z', '0', bad, 'byscore')).toEqual(MIN_MAX_NOT_FLOAT);
    }
  });

  it('reverse forms take max then min and walk from the top', () => {
    const { exec } = seeded();
    expect(exec('zrevrangebyscore', 'z', '4', '2')).toEqual(['d', 'c', 'b']);
    expect(exec('zrevrangebyscore', 'z', '+inf', '(4', 'withscores')).toEqual(['e', 5]);
    expect(exec('zrevrangebyscore', 'z', '2', '4')).toEqual([]);
    expect(exec('zrange', 'z', '(5', '-inf', 'byscore', 'rev')).toEqual(['d', 'c', 'b', 'a']);
    expect(exec('zrevrangebyscore', 'z', 'inf', '-inf', 'limit', '1', '2')).toEqual(['d', 'c']);
  });

  it('applies LIMIT offset count: negative count is all, negative offset is nothing', () => {
    const { exec } = seeded();
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'limit', '1', '2')).toEqual(['b', 'c']);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'LIMIT', '1', '-5')).toEqual(['b', 'c', 'd', 'e']);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'limit', '1', '0')).toEqual([]);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'limit', '-1', '2')).toEqual([]);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'limit', '5', '2')).toEqual([]);
    expect(exec('zrangebyscore', 'z', '2', '4', 'limit', '2', '10')).toEqual(['d']);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'withscores', 'limit', '3', '1')).toEqual(['d', 4]);
    expect(exec('zrangebyscore', 'z', '-inf', '+inf', 'limit', '0', '1', 'limit', '2', '1')).toEqual(['c']);
    expect(exec('zrange', 'z', '-inf', '+inf', 'byscore', 'limit', '4', '1')).toEqual(['e']);
  });

  it('rejects options the legacy forms do not take', () => {
    const { exec } = seeded();
    expect(exec('zrangebyscore', 'z', '0', '10', 'rev')).toEqual(SYNTAX);
    expect(exec('zrangebyscore', 'z', '0', '10', 'byscore')).toEqual(SYNTAX);
    expect(exec('zrangebyscore', 'z', '0', '10', 'limit', '0')).toEqual(SYNTAX);
    expect(exec('zrevrangebyscore', 'z', '0', '10', 'limit', 'x', '1')).toEqual(NOT_INTEGER);
  });

  it('keeps equal scores in member byte order', () => {
    const { exec } = engineHarness();
    exec('zadd', 'z', '1', 'b', '1', 'a', '1', 'c', '0', 'z', '2', 'y');
    expect(exec('zrangebyscore', 'z', '1', '1')).toEqual(['a', 'b', 'c']);
    expect(exec('zrevrangebyscore', 'z', '1', '1')).toEqual(['c', 'b', 'a']);
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['z', 'a', 'b', 'c', 'y']);
  });
});

describe('ZRANGE BYLEX / ZRANGEBYLEX / ZREVRANGEBYLEX', () => {
  it('takes [ ( - + bounds', () => {
    const { exec } = seeded();
    expect(exec('zrangebylex', 'lex', '-', '+')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(exec('zrangebylex', 'lex', '[b', '[d')).toEqual(['b', 'c', 'd']);
    expect(exec('zrangebylex', 'lex', '(b', '(d')).toEqual(['c']);
    expect(exec('zrangebylex', 'lex', '[bb', '+')).toEqual(['c', 'd', 'e']);
    expect(exec('zrangebylex', 'lex', '-', '(c')).toEqual(['a', 'b']);
    expect(exec('zrangebylex', 'lex', '[', '(')).toEqual([]);
    expect(exec('zrangebylex', 'lex', '[', '+')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(exec('zrangebylex', 'lex', '+', '-')).toEqual([]);
    expect(exec('zrangebylex', 'lex', '[d', '[b')).toEqual([]);
    expect(exec('zrangebylex', 'lex', '(c', '[c')).toEqual([]);
    expect(exec('zrangebylex', 'lex', '[c', '[c')).toEqual(['c']);
    expect(exec('zrange', 'lex', '[b', '(d', 'bylex')).toEqual(['b', 'c']);
    expect(exec('zrangebylex', 'missing', '-', '+')).toEqual([]);
  });

  it('reverse forms take max then min', () => {
    const { exec } = seeded();
    expect(exec('zrevrangebylex', 'lex', '+', '-')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(exec('zrevrangebylex', 'lex', '[d', '(b')).toEqual(['d', 'c']);
    expect(exec('zrange', 'lex', '(d', '-', 'bylex', 'rev')).toEqual(['c', 'b', 'a']);
    expect(exec('zrevrangebylex', 'lex', '+', '-', 'limit', '1', '2')).toEqual(['d', 'c']);
  });

  it('applies LIMIT', () => {
    const { exec } = seeded();
    expect(exec('zrangebylex', 'lex', '-', '+', 'limit', '0', '2')).toEqual(['a', 'b']);
    expect(exec('zrangebylex', 'lex', '(a', '+', 'limit', '1', '-1')).toEqual(['c', 'd', 'e']);
    expect(exec('zrangebylex', 'lex', '-', '+', 'limit', '-1', '1')).toEqual([]);
    expect(exec('zrangebylex', 'lex', '-', '+', 'limit', '10', '1')).toEqual([]);
  });

  it('rejects bad bounds and WITHSCORES', () => {
    const { exec } = seeded();
    for (const bad of ['a', '', '++', '-a', '{a']) {
      expect(exec('zrangebylex', 'lex', bad, '+')).toEqual(MIN_MAX_NOT_STRING);
      expect(exec('zrangebylex', 'lex', '-', bad)).toEqual(MIN_MAX_NOT_STRING);
    }
    expect(exec('zrangebylex', 'lex', '-', '+', 'withscores')).toEqual(WITHSCORES_BYLEX);
    expect(exec('zrange', 'lex', '-', '+', 'bylex', 'withscores')).toEqual(WITHSCORES_BYLEX);
    expect(exec('zrangebylex', 'lex', '-', '+', 'bylex')).toEqual(SYNTAX);
    expect(exec('zrevrangebylex', 'lex', '-', '+', 'rev')).toEqual(SYNTAX);
  });

  it('compares members as bytes', () => {
    const { exec, raw } = engineHarness();
    exec('zadd', 'k', '0', Buffer.from([0x80]), '0', 'A', '0', 'a', '0', Buffer.from('a\x00'));
    const r = raw('zrangebylex', 'k', Buffer.from('(a'), '+');
    expect(r.t === 'array' && r.v.map((x) => (x.t === 'bulk' ? x.v.toString('hex') : '?'))).toEqual(['6100', '80']);
  });

  it('pages a large lex index in O(log n + page): one rank lookup per bound, then only the page is read', () => {
    const { exec } = engineHarness();
    const key = (i: number) => `key/${String(i).padStart(6, '0')}`;
    const members: string[] = [];
    for (let i = 0; i < 20000; i++) members.push('0', key(i));
    exec('zadd', 'big', ...members);
    expect(exec('zrangebylex', 'big', '(key/001234', '+', 'limit', '0', '3')).toEqual([
      'key/001235',
      'key/001236',
      'key/001237',
    ]);
    expect(exec('zlexcount', 'big', '[key/001000', '(key/002000')).toBe(1000);
    // The cost is counted, not timed: SortedSet.countBelowLex is its O(log n) rank of a member, and keyRange reads
    // exactly the ranks it is given. Anything that walks the set (slice, scan, entries, at) must not run.
    const proto = SortedSet.prototype;
    const lookups = jest.spyOn(proto, 'countBelowLex');
    const reads = jest.spyOn(proto, 'keyRange');
    const walks = {
      slice: jest.spyOn(proto, 'slice'),
      scan: jest.spyOn(proto, 'scan'),
      entries: jest.spyOn(proto, 'entries'),
      at: jest.spyOn(proto, 'at'),
    };
    try {
      const page = exec('zrangebylex', 'big', '[key/010000', '(key/015000', 'LIMIT', '10', '1000');
      expect(page).toEqual(Array.from({ length: 1000 }, (_, i) => key(10010 + i)));
      expect(lookups.mock.calls.map(([m, inclusive]) => [m.toString(), inclusive])).toEqual([
        ['key/010000', false],
        ['key/015000', false],
      ]);
      expect(reads.mock.calls.map(([start, stop, reverse]) => [start, stop, reverse])).toEqual([[10010, 11009, false]]);
      const walked = Object.fromEntries(Object.entries(walks).map(([name, spy]) => [name, spy.mock.calls.length]));
      expect(walked).toEqual({ slice: 0, scan: 0, entries: 0, at: 0 });
    } finally {
      for (const spy of [lookups, reads, ...Object.values(walks)]) spy.mockRestore();
    }
  });
});

describe('ZRANGESTORE', () => {
  it('stores the range and replies with its size', () => {
    const { exec } = seeded();
    expect(exec('zrangestore', 'dst', 'z', '1', '2')).toBe(2);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['b', 2, 'c', 3]);
    expect(exec('zrangestore', 'dst', 'z', '(1', '4', 'byscore', 'limit', '1', '5')).toBe(2);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['c', 3, 'd', 4]);
    expect(exec('zrangestore', 'dst', 'z', '+inf', '4', 'byscore', 'rev')).toBe(2);
    expect(exec('zrange', 'dst', '0', '-1')).toEqual(['d', 'e']);
    expect(exec('zrangestore', 'dst', 'lex', '[b', '+', 'bylex', 'limit', '0', '1')).toBe(1);
    expect(exec('zrange', 'dst', '0', '-1', 'withscores')).toEqual(['b', 0]);
    expect(exec('zrangestore', 'z', 'z', '0', '0', 'rev')).toBe(1);
    expect(exec('zrange', 'z', '0', '-1')).toEqual(['e']);
  });

  it('deletes the destination when the range is empty or the source missing', () => {
    const { exec } = seeded();
    exec('zadd', 'dst', '1', 'x');
    expect(exec('zrangestore', 'dst', 'z', '10', '20')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
    exec('zadd', 'dst', '1', 'x');
    expect(exec('zrangestore', 'dst', 'missing', '0', '-1')).toBe(0);
    expect(exec('exists', 'dst')).toBe(0);
  });

  it('overwrites a destination of another type but not from one', () => {
    const h = seeded();
    const { exec } = h;
    putString(h, 's');
    expect(exec('zrangestore', 's', 'z', '0', '0')).toBe(1);
    expect(exec('type', 's')).toBe('zset');
    putString(h, 's');
    expect(exec('zrangestore', 'dst', 's', '0', '0')).toEqual(WRONGTYPE);
    expect(exec('zrangestore', 'dst', 'z', '0', '-1', 'withscores')).toEqual(SYNTAX);
    expect(exec('zrangestore', 'dst', 'z', '0')).toEqual({
      error: "ERR wrong number of arguments for 'zrangestore' command",
    });
  });
});
