import { engineHarness } from '../../helpers/engine';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' };
const NOT_FLOAT = { error: 'ERR value is not a valid float' };
const OVERFLOW = { error: 'ERR increment or decrement would overflow' };
const NAN_INF = { error: 'ERR increment would produce NaN or Infinity' };
const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });

describe('INCR / INCRBY / DECR / DECRBY', () => {
  it('counts from 0 and keeps the TTL', () => {
    const { exec } = engineHarness();
    expect(exec('incr', 'n')).toBe(1);
    expect(exec('incrby', 'n', 10)).toBe(11);
    expect(exec('decr', 'n')).toBe(10);
    expect(exec('decrby', 'n', 15)).toBe(-5);
    expect(exec('incrby', 'n', '-5')).toBe(-10);
    expect(exec('get', 'n')).toBe('-10');
    exec('expire', 'n', 100);
    exec('incr', 'n');
    expect(exec('ttl', 'n')).toBe(100);
    expect(exec('decr', 'fresh')).toBe(-1);
  });

  it('is exact over the whole int64 range', () => {
    const { exec, raw } = engineHarness();
    exec('set', 'k', '9223372036854775806');
    expect(raw('incr', 'k')).toEqual({ t: 'int', v: 9223372036854775807n });
    expect(exec('get', 'k')).toBe('9223372036854775807');
    expect(exec('incr', 'k')).toEqual(OVERFLOW);
    expect(exec('get', 'k')).toBe('9223372036854775807');
    expect(raw('incrby', 'k', -1)).toEqual({ t: 'int', v: 9223372036854775806n });
    exec('set', 'k', '-9223372036854775807');
    expect(raw('decr', 'k')).toEqual({ t: 'int', v: -9223372036854775808n });
    expect(exec('decr', 'k')).toEqual(OVERFLOW);
    expect(exec('decrby', 'k', 1)).toEqual(OVERFLOW);
    expect(exec('incrby', 'k', '9223372036854775807')).toBe(-1);
    expect(exec('decrby', 'k', '-9223372036854775808')).toEqual({ error: 'ERR decrement would overflow' });
    expect(exec('decrby', 'nokey', '-9223372036854775808')).toEqual({ error: 'ERR decrement would overflow' });
    expect(exec('incrby', 'k', '9223372036854775808')).toEqual(NOT_INTEGER);
  });

  it('accepts only canonical integers', () => {
    const { exec } = engineHarness();
    for (const v of ['1.5', ' 1', '1 ', '010', '-0', '+1', 'abc', '', '9223372036854775808']) {
      exec('set', 'k', v);
      expect(exec('incr', 'k')).toEqual(NOT_INTEGER);
    }
    expect(exec('incrby', 'k', 'abc')).toEqual(NOT_INTEGER);
    expect(exec('decrby', 'k', '1.0')).toEqual(NOT_INTEGER);
    exec('hset', 'h', 'f', 'v');
    expect(exec('incr', 'h')).toEqual(WRONGTYPE);
    expect(exec('decrby', 'h', 1)).toEqual(WRONGTYPE);
    expect(exec('incrby', 'h', 'abc')).toEqual(NOT_INTEGER); // the increment is checked first
    expect(exec('incr')).toEqual(arity('incr'));
    expect(exec('incrby', 'k')).toEqual(arity('incrby'));
    expect(exec('decr', 'a', 'b')).toEqual(arity('decr'));
    expect(exec('decrby', 'k')).toEqual(arity('decrby'));
  });
});

describe('INCRBYFLOAT', () => {
  it('adds in long double and prints like Redis', () => {
    const { exec } = engineHarness();
    expect(exec('incrbyfloat', 'f', '1.5')).toBe('1.5');
    exec('set', 'f', '0.1');
    expect(exec('incrbyfloat', 'f', '0.2')).toBe('0.3');
    exec('set', 'f', '1000');
    expect(exec('incrbyfloat', 'f', '0.1')).toBe('1000.09999999999999998');
    exec('set', 'f', '10.5');
    expect(exec('incrbyfloat', 'f', '0.1')).toBe('10.6');
    expect(exec('incrbyfloat', 'f', '3.0e3')).toBe('3010.60000000000000009');
    exec('set', 'f', '1');
    expect(exec('incrbyfloat', 'f', '-1')).toBe('0');
    exec('set', 'f', '5');
    expect(exec('incrbyfloat', 'f', '1e-10')).toBe('5.0000000001');
    expect(exec('incrbyfloat', 'f', '1e20')).toBe('100000000000000000008');
    exec('set', 'f', '0x10');
    expect(exec('incrbyfloat', 'f', '1')).toBe('17');
    exec('set', 'f', '123456789');
    expect(exec('incrbyfloat', 'f', '0.123')).toBe('123456789.12299999999959255');
    expect(exec('get', 'f')).toBe('123456789.12299999999959255');
  });

  it('keeps the TTL', () => {
    const { exec } = engineHarness();
    exec('set', 'f', '1', 'ex', 100);
    exec('incrbyfloat', 'f', '1');
    expect(exec('ttl', 'f')).toBe(100);
  });

  it('refuses non-numbers, NaN and infinity', () => {
    const { exec } = engineHarness();
    expect(exec('incrbyfloat', 'f', 'abc')).toEqual(NOT_FLOAT);
    expect(exec('incrbyfloat', 'f', 'inf')).toEqual(NAN_INF);
    expect(exec('incrbyfloat', 'f', 'nan')).toEqual(NOT_FLOAT);
    exec('set', 'f', 'abc');
    expect(exec('incrbyfloat', 'f', '1')).toEqual(NOT_FLOAT);
    exec('set', 'f', ' 1');
    expect(exec('incrbyfloat', 'f', '1')).toEqual(NOT_FLOAT);
    exec('set', 'f', 'inf');
    expect(exec('incrbyfloat', 'f', '1')).toEqual(NAN_INF);
    expect(exec('incrbyfloat', 'f', 'x')).toEqual(NOT_FLOAT);
    exec('hset', 'h', 'f', 'v');
    expect(exec('incrbyfloat', 'h', '1')).toEqual(WRONGTYPE);
    expect(exec('incrbyfloat', 'f')).toEqual(arity('incrbyfloat'));
  });
});

describe('APPEND / STRLEN', () => {
  it('appends, creating the key when missing', () => {
    const { exec, clock } = engineHarness();
    expect(exec('append', 'k', 'Hello')).toBe(5);
    expect(exec('append', 'k', ' World')).toBe(11);
    expect(exec('get', 'k')).toBe('Hello World');
    expect(exec('strlen', 'k')).toBe(11);
    expect(exec('append', 'k', '')).toBe(11);
    expect(exec('strlen', 'nokey')).toBe(0);
    exec('expire', 'k', 10);
    exec('append', 'k', '!');
    expect(exec('ttl', 'k')).toBe(10);
    clock.advance(10_000);
    expect(exec('append', 'k', 'x')).toBe(1);
  });

  it('keeps earlier replies intact while growing in place', () => {
    const { exec, raw } = engineHarness();
    exec('set', 'k', 'ab');
    exec('append', 'k', 'c');
    const before = raw('get', 'k');
    for (let i = 0; i < 1000; i++) exec('append', 'k', Buffer.from([i & 0xff]));
    expect(before).toEqual({ t: 'bulk', v: Buffer.from('abc') });
    const after = raw('get', 'k');
    expect(after.t === 'bulk' && after.v.length).toBe(1003);
    expect(after.t === 'bulk' && after.v[3 + 255]).toBe(255);
  });

  it('refuses strings over 512 MB and other types', () => {
    const { exec, engine } = engineHarness();
    // a view standing in for a huge string: only its length is looked at before refusing
    const huge = Buffer.alloc(1).subarray(0, 1);
    Object.defineProperty(huge, 'length', { value: 512 * 1024 * 1024 });
    engine.dbs[0]!.set('big', { type: 'string', v: huge });
    expect(exec('append', 'big', 'x')).toEqual({
      error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    });
    exec('hset', 'h', 'f', 'v');
    expect(exec('append', 'h', 'x')).toEqual(WRONGTYPE);
    expect(exec('strlen', 'h')).toEqual(WRONGTYPE);
    expect(exec('append', 'k')).toEqual(arity('append'));
    expect(exec('strlen')).toEqual(arity('strlen'));
  });
});

describe('GETRANGE / SUBSTR / SETRANGE', () => {
  it('reads inclusive ranges with negative offsets', () => {
    const { exec } = engineHarness();
    exec('set', 's', 'This is a string');
    expect(exec('getrange', 's', 0, 3)).toBe('This');
    expect(exec('getrange', 's', -3, -1)).toBe('ing');
    expect(exec('getrange', 's', 0, -1)).toBe('This is a string');
    expect(exec('getrange', 's', 10, 100)).toBe('string');
    expect(exec('getrange', 's', 5, 3)).toBe('');
    expect(exec('getrange', 's', -100, -50)).toBe('T');
    expect(exec('getrange', 's', -1, -100)).toBe('');
    expect(exec('getrange', 's', 100, 200)).toBe('');
    expect(exec('substr', 's', 0, 3)).toBe('This');
    expect(exec('getrange', 'nokey', 0, -1)).toBe('');
    exec('set', 'e', '');
    expect(exec('getrange', 'e', 0, -1)).toBe('');
    exec('set', 'n', 12345);
    expect(exec('getrange', 'n', 1, 2)).toBe('23');
  });

  it('checks GETRANGE arguments', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'f', 'v');
    expect(exec('getrange', 'h', 0, 1)).toEqual(WRONGTYPE);
    expect(exec('substr', 'h', 0, 1)).toEqual(WRONGTYPE);
    expect(exec('getrange', 'h', 'a', 1)).toEqual(NOT_INTEGER);
    expect(exec('getrange', 's', 0, '9223372036854775808')).toEqual(NOT_INTEGER);
    expect(exec('getrange', 's', 0)).toEqual(arity('getrange'));
    expect(exec('substr', 's', 0)).toEqual(arity('substr'));
  });

  it('overwrites and zero-pads with SETRANGE', () => {
    const { exec, raw } = engineHarness();
    exec('set', 'k', 'Hello World');
    expect(exec('setrange', 'k', 6, 'Redis')).toBe(11);
    expect(exec('get', 'k')).toBe('Hello Redis');
    expect(exec('setrange', 'k', 11, '!')).toBe(12);
    expect(exec('setrange', 'nk', 3, 'ab')).toBe(5);
    expect(raw('get', 'nk')).toEqual({ t: 'bulk', v: Buffer.from([0, 0, 0, 0x61, 0x62]) });
    expect(exec('setrange', 'k', 0, '')).toBe(12);
    expect(exec('setrange', 'none', 5, '')).toBe(0);
    expect(exec('setrange', 'none', 536870912, '')).toBe(0);
    expect(exec('exists', 'none')).toBe(0);
    exec('expire', 'k', 10);
    exec('setrange', 'k', 0, 'h');
    expect(exec('ttl', 'k')).toBe(10);
  });

  it('leaves earlier replies intact', () => {
    const { exec, raw } = engineHarness();
    exec('set', 'k', 'abc');
    const before = raw('get', 'k');
    exec('setrange', 'k', 0, 'X');
    expect(before).toEqual({ t: 'bulk', v: Buffer.from('abc') });
    expect(exec('get', 'k')).toBe('Xbc');
  });

  it('checks SETRANGE arguments', () => {
    const { exec } = engineHarness();
    exec('set', 's', 'x');
    expect(exec('setrange', 's', -1, 'x')).toEqual({ error: 'ERR offset is out of range' });
    expect(exec('setrange', 's', 'abc', 'x')).toEqual(NOT_INTEGER);
    expect(exec('setrange', 's', 536870912, 'x')).toEqual({
      error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    });
    expect(exec('setrange', 'new', 536870911, 'xy')).toEqual({
      error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    });
    exec('hset', 'h', 'f', 'v');
    expect(exec('setrange', 'h', 0, 'x')).toEqual(WRONGTYPE);
    expect(exec('setrange', 's', 0)).toEqual(arity('setrange'));
  });
});
