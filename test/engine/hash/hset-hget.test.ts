import { engineHarness } from '../../helpers/engine';

// Only hash commands are used here; other state is set up on the keyspace directly.
const putString = (h: ReturnType<typeof engineHarness>, key: string): void =>
  h.engine.dbs[0]!.set(key, { type: 'string', v: Buffer.from('v') });
const exists = (h: ReturnType<typeof engineHarness>, key: string): boolean => h.engine.dbs[0]!.data.has(key);

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });

describe('HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HDEL', () => {
  it('sets fields and counts only the new ones', () => {
    const h = engineHarness();
    const { exec } = h;
    expect(exec('hset', 'h', 'a', '1', 'b', '2')).toBe(2);
    expect(exec('hset', 'h', 'a', '10', 'c', '3')).toBe(1);
    expect(exec('hget', 'h', 'a')).toBe('10');
    expect(exec('hget', 'h', 'nope')).toBeNull();
    expect(exec('hget', 'nokey', 'a')).toBeNull();
    expect(exec('hmset', 'h', 'd', '4')).toBe('OK');
    expect(exec('hlen', 'h')).toBe(4);
    expect(h.engine.dbs[0]!.data.get('h')?.type).toBe('hash');
  });

  it('checks arity the way Redis does (odd field/value counts)', () => {
    const h = engineHarness();
    const { exec } = h;
    expect(exec('hset', 'h')).toEqual(arity('hset'));
    expect(exec('hset', 'h', 'f')).toEqual(arity('hset'));
    expect(exec('hset', 'h', 'f', 'v', 'g')).toEqual(arity('hset'));
    expect(exec('hmset', 'h', 'f', 'v', 'g')).toEqual(arity('hmset'));
    expect(exec('hdel', 'h')).toEqual(arity('hdel'));
    expect(exec('hmget', 'h')).toEqual(arity('hmget'));
    expect(exec('hsetnx', 'h', 'f')).toEqual(arity('hsetnx'));
    expect(exists(h, 'h')).toBe(false);
  });

  it('HSETNX only sets missing fields', () => {
    const { exec } = engineHarness();
    expect(exec('hsetnx', 'h', 'f', 'v')).toBe(1);
    expect(exec('hsetnx', 'h', 'f', 'w')).toBe(0);
    expect(exec('hget', 'h', 'f')).toBe('v');
  });

  it('HMGET returns nils for missing fields and keys', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1');
    expect(exec('hmget', 'h', 'a', 'x', 'a')).toEqual(['1', null, '1']);
    expect(exec('hmget', 'nokey', 'a', 'b')).toEqual([null, null]);
  });

  it('HGETALL is a map (pairs), HKEYS/HVALS keep insertion order like a listpack', () => {
    const { exec, raw } = engineHarness();
    exec('hset', 'h', 'z', '1', 'a', '2', 'm', '3');
    exec('hset', 'h', 'z', '9');
    exec('hdel', 'h', 'a');
    exec('hset', 'h', 'a', '4');
    expect(exec('hkeys', 'h')).toEqual(['z', 'm', 'a']);
    expect(exec('hvals', 'h')).toEqual(['9', '3', '4']);
    expect(exec('hgetall', 'h')).toEqual([
      ['z', '9'],
      ['m', '3'],
      ['a', '4'],
    ]);
    expect(raw('hgetall', 'h').t).toBe('map');
    expect(exec('hgetall', 'nokey')).toEqual([]);
    expect(exec('hkeys', 'nokey')).toEqual([]);
    expect(exec('hvals', 'nokey')).toEqual([]);
  });

  it('HEXISTS, HSTRLEN, HLEN on present and missing data', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'f', 'hello');
    expect(exec('hexists', 'h', 'f')).toBe(1);
    expect(exec('hexists', 'h', 'g')).toBe(0);
    expect(exec('hexists', 'nokey', 'g')).toBe(0);
    expect(exec('hstrlen', 'h', 'f')).toBe(5);
    expect(exec('hstrlen', 'h', 'g')).toBe(0);
    expect(exec('hlen', 'nokey')).toBe(0);
  });

  it('HDEL counts removed fields once and deletes the emptied key', () => {
    const h = engineHarness();
    const { exec } = h;
    exec('hset', 'h', 'a', '1', 'b', '2');
    expect(exec('hdel', 'h', 'a', 'a', 'x')).toBe(1);
    expect(exec('hdel', 'nokey', 'a')).toBe(0);
    expect(exec('hdel', 'h', 'b')).toBe(1);
    expect(exists(h, 'h')).toBe(false);
  });

  it('is binary safe for fields and values', () => {
    const { engine } = engineHarness();
    const f = Buffer.from([0, 0xff, 0x80, 10]);
    const v = Buffer.from([0xc3, 0x28, 0]);
    engine.execute([Buffer.from('hset'), Buffer.from('h'), f, v]);
    const r = engine.execute([Buffer.from('hget'), Buffer.from('h'), f]);
    expect(r).toEqual({ t: 'bulk', v });
    const keys = engine.execute([Buffer.from('hkeys'), Buffer.from('h')]);
    expect(keys).toEqual({ t: 'array', v: [{ t: 'bulk', v: f }] });
  });

  it('answers WRONGTYPE for every hash command on a string key', () => {
    const h = engineHarness();
    const { exec } = h;
    putString(h, 's');
    for (const args of [
      ['hset', 's', 'f', 'v'],
      ['hsetnx', 's', 'f', 'v'],
      ['hmset', 's', 'f', 'v'],
      ['hget', 's', 'f'],
      ['hmget', 's', 'f'],
      ['hgetall', 's'],
      ['hdel', 's', 'f'],
      ['hexists', 's', 'f'],
      ['hlen', 's'],
      ['hkeys', 's'],
      ['hvals', 's'],
      ['hstrlen', 's', 'f'],
      ['hincrby', 's', 'f', '1'],
      ['hincrbyfloat', 's', 'f', '1'],
      ['hscan', 's', '0'],
      ['hrandfield', 's'],
      ['hrandfield', 's', '1'],
    ])
      expect(exec(...args)).toEqual(WRONGTYPE);
  });

  it('treats an expired hash as absent', () => {
    const { exec, clock, engine } = engineHarness();
    exec('hset', 'h', 'f', 'v');
    engine.dbs[0]!.setExpire('h', clock.now() + 100, clock.now());
    clock.advance(100);
    expect(exec('hget', 'h', 'f')).toBeNull();
    expect(exec('hset', 'h', 'g', 'w')).toBe(1);
    expect(exec('hlen', 'h')).toBe(1);
  });
});

describe('OBJECT ENCODING of hashes (redis-server 7.0: hash-max-listpack-entries 512, -value 64)', () => {
  it('listpack up to 512 short fields, hashtable past them or past 64 bytes', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 512; i++) exec('hset', 'h', `f${i}`, 'v');
    expect(exec('object', 'encoding', 'h')).toBe('listpack');
    exec('hset', 'h', 'one-more', 'v');
    expect(exec('object', 'encoding', 'h')).toBe('hashtable');
    exec('hset', 'long', 'f', 'x'.repeat(65));
    expect(exec('object', 'encoding', 'long')).toBe('hashtable');
  });
});
