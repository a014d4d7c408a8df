import { engineHarness } from '../../helpers/engine';

const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });
const invalid = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });

describe('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT', () => {
  it('sets relative and absolute deadlines', () => {
    const { exec, clock } = engineHarness();
    const now = clock.now();
    exec('mset', 'a', '1', 'b', '1', 'c', '1', 'd', '1');
    expect(exec('expire', 'a', 100)).toBe(1);
    expect(exec('pexpire', 'b', 1500)).toBe(1);
    expect(exec('expireat', 'c', Math.floor(now / 1000) + 50)).toBe(1);
    expect(exec('pexpireat', 'd', now + 2500)).toBe(1);
    expect(exec('ttl', 'a')).toBe(100);
    expect(exec('pttl', 'a')).toBe(100_000);
    expect(exec('ttl', 'b')).toBe(2); // 1.5 s rounds half up
    expect(exec('pexpiretime', 'b')).toBe(now + 1500);
    expect(exec('expiretime', 'c')).toBe(Math.floor(now / 1000) + 50);
    expect(exec('pttl', 'd')).toBe(2500);
    expect(exec('expire', 'nokey', 10)).toBe(0);
    expect(exec('pexpireat', 'nokey', now + 10)).toBe(0);
  });

  it('expires lazily with the clock', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'k', 'v');
    exec('pexpire', 'k', 1000);
    clock.advance(999);
    expect(exec('get', 'k')).toBe('v');
    expect(exec('pttl', 'k')).toBe(1);
    clock.advance(1);
    expect(exec('get', 'k')).toBeNull();
    expect(exec('ttl', 'k')).toBe(-2);
    expect(exec('dbsize')).toBe(0);
  });

  it('deletes the key for a deadline now or in the past, answering 1', () => {
    const { exec } = engineHarness();
    exec('mset', 'a', '1', 'b', '1', 'c', '1');
    expect(exec('expire', 'a', 0)).toBe(1);
    expect(exec('pexpire', 'b', -5)).toBe(1);
    expect(exec('expireat', 'c', 1)).toBe(1);
    expect(exec('exists', 'a', 'b', 'c')).toBe(0);
  });

  it('honours NX, XX, GT and LT', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    expect(exec('expire', 'k', 100, 'xx')).toBe(0);
    expect(exec('expire', 'k', 100, 'gt')).toBe(0); // no TTL is an infinite one
    expect(exec('ttl', 'k')).toBe(-1);
    expect(exec('expire', 'k', 100, 'lt')).toBe(1);
    expect(exec('expire', 'k', 50, 'NX')).toBe(0);
    expect(exec('expire', 'k', 50, 'gt')).toBe(0);
    expect(exec('expire', 'k', 200, 'gt')).toBe(1);
    expect(exec('expire', 'k', 300, 'xx')).toBe(1);
    expect(exec('expire', 'k', 300, 'lt')).toBe(0);
    expect(exec('expire', 'k', 100, 'LT', 'lt')).toBe(1);
    expect(exec('ttl', 'k')).toBe(100);
    expect(exec('expire', 'k', 100, 'xx', 'gt')).toBe(0);
    expect(exec('expire', 'k', -1, 'gt')).toBe(0);
    expect(exec('expire', 'k', -1, 'lt')).toBe(1);
    expect(exec('exists', 'k')).toBe(0);
    exec('set', 'k', 'v');
    expect(exec('expire', 'k', 10, 'nx')).toBe(1);
    expect(exec('ttl', 'k')).toBe(10);
  });

  it('rejects bad options and bad times with Redis wording', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    expect(exec('expire', 'k', 10, 'foo')).toEqual({ error: 'ERR Unsupported option foo' });
    const nxErr = { error: 'ERR NX and XX, GT or LT options at the same time are not compatible' };
    expect(exec('expire', 'k', 10, 'nx', 'xx')).toEqual(nxErr);
    expect(exec('pexpire', 'k', 10, 'nx', 'gt')).toEqual(nxErr);
    expect(exec('expire', 'nokey', 10, 'lt', 'nx')).toEqual(nxErr);
    expect(exec('expireat', 'k', 10, 'gt', 'lt')).toEqual({
      error: 'ERR GT and LT options at the same time are not compatible',
    });
    expect(exec('expire', 'k', 'abc')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('expire', 'k', '1.5')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('expire', 'k', '9223372036854775')).toEqual(invalid('expire'));
    expect(exec('expire', 'k', '-9223372036854776')).toEqual(invalid('expire'));
    expect(exec('pexpire', 'k', '9223372036854775807')).toEqual(invalid('pexpire'));
    expect(exec('expireat', 'k', '9223372036854775807')).toEqual(invalid('expireat'));
    expect(exec('ttl', 'k')).toBe(-1);
    expect(exec('pexpireat', 'k', '9223372036854775807')).toBe(1);
    expect(exec('expire', 'k')).toEqual(arity('expire'));
    expect(exec('pexpireat', 'k')).toEqual(arity('pexpireat'));
  });
});

describe('TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST', () => {
  it('answers -2 for missing keys and -1 without a deadline', () => {
    const { exec } = engineHarness();
    for (const cmd of ['ttl', 'pttl', 'expiretime', 'pexpiretime']) expect(exec(cmd, 'nokey')).toBe(-2);
    exec('set', 'k', 'v');
    for (const cmd of ['ttl', 'pttl', 'expiretime', 'pexpiretime']) expect(exec(cmd, 'k')).toBe(-1);
    expect(exec('ttl')).toEqual(arity('ttl'));
    expect(exec('pexpiretime', 'a', 'b')).toEqual(arity('pexpiretime'));
  });

  it('rounds TTL to the nearest second, half up', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    exec('pexpire', 'k', 1499);
    expect(exec('ttl', 'k')).toBe(1);
    exec('pexpire', 'k', 1500);
    expect(exec('ttl', 'k')).toBe(2);
    exec('pexpire', 'k', 499);
    expect(exec('ttl', 'k')).toBe(0);
  });

  it('reports absolute deadlines', () => {
    const { exec } = engineHarness();
    exec('set', 'k', 'v');
    exec('expireat', 'k', 4_000_000_000);
    expect(exec('expiretime', 'k')).toBe(4_000_000_000);
    expect(exec('pexpiretime', 'k')).toBe(4_000_000_000_000);
    exec('pexpireat', 'k', 4_000_000_000_999);
    expect(exec('expiretime', 'k')).toBe(4_000_000_000);
  });

  it('removes a deadline with PERSIST', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'k', 'v', 'ex', 10);
    expect(exec('persist', 'k')).toBe(1);
    expect(exec('persist', 'k')).toBe(0);
    expect(exec('persist', 'nokey')).toBe(0);
    expect(exec('ttl', 'k')).toBe(-1);
    clock.advance(20_000);
    expect(exec('get', 'k')).toBe('v');
    exec('set', 'e', 'v', 'px', 10);
    clock.advance(10);
    expect(exec('persist', 'e')).toBe(0);
    expect(exec('persist')).toEqual(arity('persist'));
  });

  it('reports every expiry change to the keyspace listener', () => {
    const { exec, engine } = engineHarness();
    const seen: string[] = [];
    engine.onModified((_db, key) => seen.push(key));
    exec('set', 'k', 'v');
    exec('expire', 'k', 10);
    exec('persist', 'k');
    exec('expire', 'k', 10, 'gt'); // refused: no change
    exec('expire', 'k', 0);
    expect(seen).toEqual(['k', 'k', 'k', 'k']);
  });
});
