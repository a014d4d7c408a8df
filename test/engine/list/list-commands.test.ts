import { List } from '../../../src/engine/structures/list';
import { engineHarness } from '../../helpers/engine';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };

describe('LPUSH / RPUSH / LPUSHX / RPUSHX', () => {
  it('push at both ends and return the new length', () => {
    const { exec } = engineHarness();
    expect(exec('rpush', 'l', 'a', 'b')).toBe(2);
    expect(exec('lpush', 'l', 'x', 'y')).toBe(4);
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['y', 'x', 'a', 'b']);
    expect(exec('lpushx', 'missing', 'a')).toBe(0);
    expect(exec('rpushx', 'missing', 'a')).toBe(0);
    expect(exec('exists', 'missing')).toBe(0);
    expect(exec('lpushx', 'l', 'h')).toBe(5);
    expect(exec('rpushx', 'l', 't', 'u')).toBe(7);
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['h', 'y', 'x', 'a', 'b', 't', 'u']);
    expect(exec('type', 'l')).toBe('list');
    expect(exec('object', 'encoding', 'l')).toBe('quicklist');
  });

  it('answer WRONGTYPE for other types', () => {
    const { exec } = engineHarness();
    exec('set', 's', 'v');
    for (const c of ['lpush', 'rpush', 'lpushx', 'rpushx']) expect(exec(c, 's', 'a')).toEqual(WRONGTYPE);
    for (const c of ['llen', 'lpop', 'rpop']) expect(exec(c, 's')).toEqual(WRONGTYPE);
  });
});

describe('LPOP / RPOP', () => {
  it('pop one or count entries, delete the emptied key', () => {
    const { exec } = engineHarness();
    exec('rpush', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(exec('lpop', 'l')).toBe('a');
    expect(exec('rpop', 'l')).toBe('e');
    expect(exec('rpop', 'l', '2')).toEqual(['d', 'c']);
    expect(exec('lpop', 'l', '0')).toEqual([]);
    expect(exec('lpop', 'l', '10')).toEqual(['b']);
    expect(exec('exists', 'l')).toBe(0);
    expect(exec('llen', 'l')).toBe(0);
  });

  it('answer nil, or a null array with a count, for a missing key', () => {
    const { raw, exec } = engineHarness();
    expect(raw('lpop', 'nope')).toEqual({ t: 'null' });
    expect(raw('rpop', 'nope', '3')).toEqual({ t: 'nullarray' });
    expect(raw('lpop', 'nope', '0')).toEqual({ t: 'nullarray' });
    expect(exec('lpop', 'nope', '-1')).toEqual({ error: 'ERR value is out of range, must be positive' });
    expect(exec('lpop', 'nope', 'x')).toEqual({ error: 'ERR value is out of range, must be positive' });
    expect(exec('lpop', 'nope', '1', '2')).toEqual({ error: "ERR wrong number of arguments for 'lpop' command" });
  });
});

describe('LLEN / LRANGE / LINDEX / LSET', () => {
  it('read by index and range like Redis', () => {
    const { exec } = engineHarness();
    exec('rpush', 'l', 'a', 'b', 'c');
    expect(exec('llen', 'l')).toBe(3);
    expect(exec('lrange', 'l', '-2', '100')).toEqual(['b', 'c']);
    expect(exec('lrange', 'l', '2', '1')).toEqual([]);
    expect(exec('lrange', 'l', '-9223372036854775808', '9223372036854775807')).toEqual(['a', 'b', 'c']);
    expect(exec('lrange', 'l', 'x', '1')).toEqual(NOT_INT);
    expect(exec('lindex', 'l', '-1')).toBe('c');
    expect(exec('lindex', 'l', '3')).toBeNull();
    expect(exec('lindex', 'nope', '0')).toBeNull();
    expect(exec('lset', 'l', '-3', 'A')).toBe('OK');
    expect(exec('lset', 'l', '3', 'A')).toEqual({ error: 'ERR index out of range' });
    expect(exec('lset', 'nope', '0', 'A')).toEqual({ error: 'ERR no such key' });
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['A', 'b', 'c']);
  });
});

describe('LINSERT / LREM / LTRIM / LPOS', () => {
  it('insert around a pivot', () => {
    const { exec } = engineHarness();
    exec('rpush', 'l', 'a', 'c');
    expect(exec('linsert', 'l', 'before', 'c', 'b')).toBe(3);
    expect(exec('linsert', 'l', 'AFTER', 'c', 'd')).toBe(4);
    expect(exec('linsert', 'l', 'after', 'zz', 'd')).toBe(-1);
    expect(exec('linsert', 'nope', 'after', 'a', 'd')).toBe(0);
    expect(exec('linsert', 'l', 'middle', 'a', 'd')).toEqual({ error: 'ERR syntax error' });
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('remove by value from either end, trim to a range', () => {
    const { exec } = engineHarness();
    exec('rpush', 'l', 'x', 'a', 'x', 'b', 'x', 'c', 'x');
    expect(exec('lrem', 'l', '-2', 'x')).toBe(2);
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['x', 'a', 'x', 'b', 'c']);
    expect(exec('lrem', 'l', '1', 'x')).toBe(1);
    expect(exec('lrem', 'l', '0', 'x')).toBe(1);
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['a', 'b', 'c']);
    expect(exec('ltrim', 'l', '1', '-1')).toBe('OK');
    expect(exec('lrange', 'l', '0', '-1')).toEqual(['b', 'c']);
    expect(exec('ltrim', 'l', '5', '10')).toBe('OK');
    expect(exec('exists', 'l')).toBe(0);
    expect(exec('ltrim', 'nope', '0', '1')).toBe('OK');
  });

  it('finds positions with RANK, COUNT and MAXLEN', () => {
    const { exec } = engineHarness();
    exec('rpush', 'l', 'a', 'b', 'c', 'b', 'b', 'a');
    expect(exec('lpos', 'l', 'b')).toBe(1);
    expect(exec('lpos', 'l', 'b', 'rank', '2')).toBe(3);
    expect(exec('lpos', 'l', 'b', 'rank', '-1')).toBe(4);
    expect(exec('lpos', 'l', 'b', 'count', '0')).toEqual([1, 3, 4]);
    expect(exec('lpos', 'l', 'b', 'rank', '-2', 'count', '5')).toEqual([3, 1]);
    expect(exec('lpos', 'l', 'b', 'count', '5', 'maxlen', '4')).toEqual([1, 3]);
    expect(exec('lpos', 'l', 'z')).toBeNull();
    expect(exec('lpos', 'nope', 'z', 'count', '1')).toEqual([]);
    expect(exec('lpos', 'l', 'b', 'rank', '0')).toEqual({
      error:
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    });
    expect(exec('lpos', 'l', 'b', 'count', '-1')).toEqual({ error: "ERR COUNT can't be negative" });
    expect(exec('lpos', 'l', 'b', 'maxlen', 'x')).toEqual({ error: "ERR MAXLEN can't be negative" });
    expect(exec('lpos', 'l', 'b', 'rank')).toEqual({ error: 'ERR syntax error' });
  });
});

describe('LMOVE / RPOPLPUSH / LMPOP', () => {
  it('move between lists, and rotate one list', () => {
    const { exec } = engineHarness();
    exec('rpush', 'src', 'a', 'b', 'c');
    expect(exec('lmove', 'src', 'dst', 'left', 'right')).toBe('a');
    expect(exec('rpoplpush', 'src', 'dst')).toBe('c');
    expect(exec('lrange', 'dst', '0', '-1')).toEqual(['c', 'a']);
    expect(exec('lmove', 'dst', 'dst', 'LEFT', 'RIGHT')).toBe('c');
    expect(exec('lrange', 'dst', '0', '-1')).toEqual(['a', 'c']);
    expect(exec('rpoplpush', 'src', 'src')).toBe('b');
    expect(exec('lrange', 'src', '0', '-1')).toEqual(['b']);
    expect(exec('lmove', 'src', 'dst', 'right', 'left')).toBe('b');
    expect(exec('exists', 'src')).toBe(0);
    expect(exec('lmove', 'src', 'dst', 'right', 'left')).toBeNull();
    expect(exec('lmove', 'dst', 'dst', 'up', 'left')).toEqual({ error: 'ERR syntax error' });
    exec('set', 's', 'v');
    expect(exec('lmove', 'dst', 's', 'left', 'left')).toEqual(WRONGTYPE);
    expect(exec('lrange', 'dst', '0', '-1')).toEqual(['b', 'a', 'c']);
  });

  it('pops from the first non-empty list', () => {
    const { exec, raw } = engineHarness();
    exec('rpush', 'b', '1', '2', '3');
    expect(exec('lmpop', '2', 'a', 'b', 'right', 'count', '2')).toEqual(['b', ['3', '2']]);
    expect(exec('lmpop', '1', 'b', 'LEFT')).toEqual(['b', ['1']]);
    expect(raw('lmpop', '1', 'b', 'left')).toEqual({ t: 'nullarray' });
    expect(exec('lmpop', '0', 'b', 'left')).toEqual({ error: 'ERR numkeys should be greater than 0' });
    expect(exec('lmpop', '1', 'b', 'left', 'count', '0')).toEqual({ error: 'ERR count should be greater than 0' });
    expect(exec('lmpop', '3', 'b', 'left')).toEqual({ error: 'ERR syntax error' });
    expect(exec('command', 'getkeys', 'lmpop', '2', 'x', 'y', 'left')).toEqual(['x', 'y']);
  });
});

describe('list values elsewhere', () => {
  it('COPY makes an independent list; large lists stay in order', () => {
    const h = engineHarness();
    const { exec } = h;
    const many = Array.from({ length: 300 }, (_, i) => `e${i}`);
    exec('rpush', 'l', ...many);
    expect(exec('copy', 'l', 'c')).toBe(1);
    exec('lpop', 'c', '100');
    expect(exec('llen', 'l')).toBe(300);
    expect(exec('lrange', 'c', '0', '0')).toEqual(['e100']);
    expect(exec('lindex', 'l', '299')).toBe('e299');
    const v = h.engine.dbs[0]!.data.get('l');
    expect(v?.type === 'list' && v.v instanceof List && v.v.representation).toBe('ring');
    expect(exec('object', 'encoding', 'l')).toBe('quicklist');
  });
});
