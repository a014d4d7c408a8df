import { engineHarness } from '../../helpers/engine';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };
const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' };
const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });
const invalid = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });

describe('GET / SET', () => {
  it('stores and reads values', () => {
    const { exec } = engineHarness();
    expect(exec('get', 'k')).toBeNull();
    expect(exec('set', 'k', 'v')).toBe('OK');
    expect(exec('get', 'k')).toBe('v');
    expect(exec('set', 'k', '')).toBe('OK');
    expect(exec('get', 'k')).toBe('');
    expect(exec('get')).toEqual(arity('get'));
    expect(exec('set', 'k')).toEqual(arity('set'));
  });

  it('is binary-safe', () => {
    const { exec, raw } = engineHarness();
    const key = Buffer.from([0xde, 0xad, 0x00, 0x0a]);
    const value = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80]);
    expect(exec('set', key, value)).toBe('OK');
    expect(raw('get', key)).toEqual({ t: 'bulk', v: value });
    expect(exec('strlen', key)).toBe(6);
  });

  it('answers WRONGTYPE for other types', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'f', 'v');
    expect(exec('get', 'h')).toEqual(WRONGTYPE);
    expect(exec('set', 'h', 'x', 'get')).toEqual(WRONGTYPE);
    expect(exec('type', 'h')).toBe('hash'); // not overwritten
    expect(exec('set', 'h', 'x')).toBe('OK'); // plain SET replaces any type
    expect(exec('get', 'h')).toBe('x');
  });

  it('sets with NX, XX and GET', () => {
    const { exec } = engineHarness();
    expect(exec('set', 'k', 'v', 'xx')).toBeNull();
    expect(exec('set', 'k', 'v', 'nx')).toBe('OK');
    expect(exec('set', 'k', 'w', 'nx')).toBeNull();
    expect(exec('set', 'k', 'w', 'XX')).toBe('OK');
    expect(exec('set', 'k', 'x', 'get')).toBe('w');
    expect(exec('set', 'n', 'x', 'get')).toBeNull();
    expect(exec('set', 'k', 'y', 'nx', 'get')).toBe('x'); // not set, old value answered
    expect(exec('get', 'k')).toBe('x');
    expect(exec('set', 'm', 'y', 'xx', 'get')).toBeNull();
    expect(exec('exists', 'm')).toBe(0);
    expect(exec('set', 'k', 'z', 'nx', 'nx')).toBeNull();
  });

  it('sets deadlines with EX, PX, EXAT and PXAT', () => {
    const { exec, clock } = engineHarness();
    const now = clock.now();
    exec('set', 'a', 'v', 'ex', 10);
    exec('set', 'b', 'v', 'PX', 1500);
    exec('set', 'c', 'v', 'exat', Math.floor(now / 1000) + 20);
    exec('set', 'd', 'v', 'pxat', now + 30_000);
    expect(exec('pttl', 'a')).toBe(10_000);
    expect(exec('pttl', 'b')).toBe(1500);
    expect(exec('expiretime', 'c')).toBe(Math.floor(now / 1000) + 20);
    expect(exec('pexpiretime', 'd')).toBe(now + 30_000);
    expect(exec('set', 'a', 'v', 'ex', 10, 'ex', 20)).toBe('OK'); // the same option twice: last wins
    expect(exec('ttl', 'a')).toBe(20);
    clock.advance(1500);
    expect(exec('get', 'b')).toBeNull();
    expect(exec('set', 'e', 'v', 'exat', 1)).toBe('OK'); // already past: gone at once
    expect(exec('get', 'e')).toBeNull();
  });

  it('clears the TTL unless KEEPTTL', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v', 'ex', 100);
    exec('set', 'k', 'w', 'keepttl');
    expect(exec('ttl', 'k')).toBe(100);
    exec('set', 'k', 'x', 'KEEPTTL', 'keepttl');
    expect(exec('ttl', 'k')).toBe(100);
    exec('set', 'k', 'y');
    expect(exec('ttl', 'k')).toBe(-1);
  });

  it('rejects every invalid option combination like Redis', () => {
    const { exec } = engineHarness();
    for (const opts of [
      ['ex', 10, 'px', 100],
      ['px', 10, 'ex', 100],
      ['exat', 10, 'pxat', 100],
      ['ex', 10, 'exat', 100],
      ['nx', 'xx'],
      ['xx', 'nx'],
      ['ex'],
      ['px'],
      ['keepttl', 'ex', 10],
      ['ex', 10, 'keepttl'],
      ['persist'],
      ['foo'],
      ['get', 'foo'],
    ]) {
      expect(exec('set', 'k', 'v', ...opts)).toEqual(SYNTAX);
    }
    expect(exec('exists', 'k')).toBe(0);
  });

  it('rejects invalid and overflowing expire times', () => {
    const { exec } = engineHarness();
    expect(exec('set', 'k', 'v', 'ex', 0)).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'ex', -1)).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'px', 0)).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'exat', 0)).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'ex', 'abc')).toEqual(NOT_INTEGER);
    expect(exec('set', 'k', 'v', 'ex', '1.5')).toEqual(NOT_INTEGER);
    expect(exec('set', 'k', 'v', 'ex', '9223372036854775807')).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'ex', '9223372036854775')).toEqual(invalid('set'));
    expect(exec('set', 'k', 'v', 'px', '9223372036854775807')).toEqual(invalid('set'));
    expect(exec('exists', 'k')).toBe(0);
    expect(exec('set', 'k', 'v', 'exat', '9223372036854775')).toBe('OK');
    expect(exec('set', 'k', 'v', 'pxat', '9223372036854775807')).toBe('OK');
    expect(exec('set', 'k', 'v', 'ex', '922337203685477')).toBe('OK');
    expect(exec('ttl', 'k')).toBe(922337203685477);
  });
});

describe('SETNX / SETEX / PSETEX / GETSET / GETDEL / GETEX', () => {
  it('SETNX sets only new keys', () => {
    const { exec } = engineHarness();
    expect(exec('setnx', 'k', 'v')).toBe(1);
    expect(exec('setnx', 'k', 'w')).toBe(0);
    expect(exec('get', 'k')).toBe('v');
    exec('hset', 'h', 'f', 'v');
    expect(exec('setnx', 'h', 'x')).toBe(0);
    expect(exec('setnx', 'k')).toEqual(arity('setnx'));
  });

  it('SETEX and PSETEX set a value with a deadline', () => {
    const { exec, clock } = engineHarness();
    expect(exec('setex', 'k', 10, 'v')).toBe('OK');
    expect(exec('ttl', 'k')).toBe(10);
    expect(exec('psetex', 'p', 1500, 'v')).toBe('OK');
    expect(exec('pttl', 'p')).toBe(1500);
    clock.advance(10_000);
    expect(exec('get', 'k')).toBeNull();
    expect(exec('setex', 'k', 0, 'v')).toEqual(invalid('setex'));
    expect(exec('psetex', 'k', -1, 'v')).toEqual(invalid('psetex'));
    expect(exec('setex', 'k', 'abc', 'v')).toEqual(NOT_INTEGER);
    expect(exec('setex', 'k', '9223372036854775', 'v')).toEqual(invalid('setex'));
    expect(exec('setex', 'k', 10)).toEqual(arity('setex'));
    expect(exec('psetex', 'k', 10)).toEqual(arity('psetex'));
  });

  it('GETSET swaps the value and clears the TTL', () => {
    const { exec } = engineHarness();
    expect(exec('getset', 'k', 'v')).toBeNull();
    exec('expire', 'k', 100);
    expect(exec('getset', 'k', 'w')).toBe('v');
    expect(exec('get', 'k')).toBe('w');
    expect(exec('ttl', 'k')).toBe(-1);
    exec('hset', 'h', 'f', 'v');
    expect(exec('getset', 'h', 'x')).toEqual(WRONGTYPE);
    expect(exec('getset', 'k')).toEqual(arity('getset'));
  });

  it('GETDEL answers the value and deletes the key', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    expect(exec('getdel', 'k')).toBe('v');
    expect(exec('getdel', 'k')).toBeNull();
    expect(exec('exists', 'k')).toBe(0);
    exec('hset', 'h', 'f', 'v');
    expect(exec('getdel', 'h')).toEqual(WRONGTYPE);
    expect(exec('exists', 'h')).toBe(1);
  });

  it('GETEX reads and optionally changes the deadline', () => {
    const { exec, clock } = engineHarness();
    const now = clock.now();
    exec('set', 'k', 'v');
    expect(exec('getex', 'k')).toBe('v');
    expect(exec('ttl', 'k')).toBe(-1);
    expect(exec('getex', 'k', 'ex', 10)).toBe('v');
    expect(exec('ttl', 'k')).toBe(10);
    expect(exec('getex', 'k', 'px', 2000)).toBe('v');
    expect(exec('pttl', 'k')).toBe(2000);
    expect(exec('getex', 'k', 'pxat', now + 5000)).toBe('v');
    expect(exec('pttl', 'k')).toBe(5000);
    expect(exec('getex', 'k', 'exat', Math.floor(now / 1000) + 50)).toBe('v');
    expect(exec('expiretime', 'k')).toBe(Math.floor(now / 1000) + 50);
    expect(exec('getex', 'k', 'persist')).toBe('v');
    expect(exec('ttl', 'k')).toBe(-1);
    expect(exec('getex', 'k', 'exat', 1)).toBe('v'); // past: answered, then deleted
    expect(exec('exists', 'k')).toBe(0);
    expect(exec('getex', 'nokey', 'ex', 10)).toBeNull();
  });

  it('GETEX checks options like Redis', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    expect(exec('getex', 'k', 'ex', 0)).toEqual(invalid('getex'));
    expect(exec('getex', 'k', 'ex', 'abc')).toEqual(NOT_INTEGER);
    expect(exec('getex', 'nokey', 'ex', 0)).toBeNull(); // the time is checked only for an existing string
    for (const opts of [['persist', 'ex', 10], ['ex', 10, 'persist'], ['keepttl'], ['nx'], ['get'], ['ex']]) {
      expect(exec('getex', 'k', ...opts)).toEqual(SYNTAX);
    }
    exec('hset', 'h', 'f', 'v');
    expect(exec('getex', 'h', 'persist')).toEqual(WRONGTYPE);
    expect(exec('getex')).toEqual(arity('getex'));
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('reads and writes many keys', () => {
    const { exec } = engineHarness();
    expect(exec('mset', 'a', '1', 'b', '2')).toBe('OK');
    exec('hset', 'h', 'f', 'v');
    expect(exec('mget', 'a', 'b', 'nokey', 'h')).toEqual(['1', '2', null, null]);
    expect(exec('mset', 'a')).toEqual(arity('mset'));
    expect(exec('mset', 'a', '1', 'b')).toEqual(arity('mset'));
    expect(exec('mget')).toEqual(arity('mget'));
  });

  it('MSET replaces any type and clears TTLs', () => {
    const { exec } = engineHarness();
    exec('set', 'a', 'old', 'ex', 100);
    exec('hset', 'h', 'f', 'v');
    expect(exec('mset', 'a', '1', 'h', '2', 'a', '3')).toBe('OK');
    expect(exec('mget', 'a', 'h')).toEqual(['3', '2']);
    expect(exec('ttl', 'a')).toBe(-1);
  });

  it('MSETNX sets all or nothing', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'a', '1');
    expect(exec('msetnx', 'a', 'x', 'c', 'y')).toBe(0);
    expect(exec('exists', 'c')).toBe(0);
    expect(exec('msetnx', 'c', '1', 'd', '2')).toBe(1);
    expect(exec('msetnx', 'x', '1', 'x', '2')).toBe(1);
    expect(exec('get', 'x')).toBe('2');
    exec('set', 'e', 'v', 'px', 5);
    clock.advance(5);
    expect(exec('msetnx', 'e', 'new')).toBe(1);
    expect(exec('msetnx', 'a', '1', 'b')).toEqual(arity('msetnx'));
  });
});
