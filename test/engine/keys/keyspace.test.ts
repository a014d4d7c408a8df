import { List } from '../../../src/engine/structures/list';
import { engineHarness } from '../../helpers/engine';

const arity = (cmd: string) => ({ error: `ERR wrong number of arguments for '${cmd}' command` });

describe('DEL / UNLINK / EXISTS / TOUCH / TYPE / DBSIZE', () => {
  it('deletes and counts keys, repeats included where Redis counts them', () => {
    const { exec } = engineHarness();
    expect(exec('mset', 'a', '1', 'b', '2', 'c', '3')).toBe('OK');
    expect(exec('exists', 'a', 'a', 'b', 'nokey')).toBe(3);
    expect(exec('touch', 'a', 'a', 'nokey')).toBe(2);
    expect(exec('dbsize')).toBe(3);
    expect(exec('del', 'a', 'a', 'nokey')).toBe(1);
    expect(exec('unlink', 'b', 'c')).toBe(2);
    expect(exec('unlink', 'b')).toBe(0);
    expect(exec('exists', 'a')).toBe(0);
    expect(exec('dbsize')).toBe(0);
    expect(exec('del')).toEqual(arity('del'));
    expect(exec('exists')).toEqual(arity('exists'));
    expect(exec('touch')).toEqual(arity('touch'));
    expect(exec('dbsize', 'x')).toEqual(arity('dbsize'));
  });

  it('names the type of every kind of value', () => {
    const { exec, engine } = engineHarness();
    exec('set', 's', 'v');
    exec('hset', 'h', 'f', 'v');
    engine.dbs[0]!.set('l', { type: 'list', v: List.from([Buffer.from('x')]) });
    engine.dbs[0]!.set('st', { type: 'set', v: new Set(['x']) });
    expect(exec('type', 's')).toBe('string');
    expect(exec('type', 'h')).toBe('hash');
    expect(exec('type', 'l')).toBe('list');
    expect(exec('type', 'st')).toBe('set');
    expect(exec('type', 'nokey')).toBe('none');
    expect(exec('type')).toEqual(arity('type'));
  });

  it('counts keyspace hits and misses on reads', () => {
    const { exec, engine } = engineHarness();
    exec('set', 'k', 'v');
    exec('get', 'k');
    exec('get', 'nokey');
    exec('exists', 'k', 'nokey');
    expect(engine.stats.keyspaceHits).toBe(2);
    expect(engine.stats.keyspaceMisses).toBe(2);
  });

  it('treats keys as bytes', () => {
    const { exec, raw } = engineHarness();
    const k1 = Buffer.from([0x00, 0xff, 0x0d, 0x0a]);
    const k2 = Buffer.from([0x00, 0xff, 0x0d]);
    exec('set', k1, 'one');
    expect(exec('exists', k1, k2)).toBe(1);
    expect(exec('type', k1)).toBe('string');
    expect(raw('keys', '*')).toEqual({ t: 'array', v: [{ t: 'bulk', v: k1 }] });
    expect(exec('del', k2)).toBe(0);
    expect(exec('del', k1)).toBe(1);
  });

  it('does not see expired keys', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'k', 'v', 'px', 100);
    expect(exec('exists', 'k')).toBe(1);
    clock.advance(100);
    expect(exec('exists', 'k')).toBe(0);
    expect(exec('type', 'k')).toBe('none');
    expect(exec('del', 'k')).toBe(0);
    expect(exec('touch', 'k')).toBe(0);
  });
});

describe('FLUSHDB / FLUSHALL', () => {
  it('empties one database or all of them', () => {
    const { exec, engine, session } = engineHarness();
    exec('set', 'a', '1');
    session.db = 1;
    exec('set', 'b', '1');
    expect(exec('flushdb')).toBe('OK');
    expect(exec('dbsize')).toBe(0);
    session.db = 0;
    expect(exec('dbsize')).toBe(1);
    exec('set', 'c', '1', 'ex', 100);
    session.db = 2;
    exec('set', 'd', '1');
    expect(exec('flushall', 'SYNC')).toBe('OK');
    expect(engine.dbs.map((db) => db.size).reduce((a, b) => a + b)).toBe(0);
    expect(engine.dbs[0]!.expires.size).toBe(0);
  });

  it('accepts ASYNC and SYNC only', () => {
    const { exec } = engineHarness();
    expect(exec('flushdb', 'async')).toBe('OK');
    expect(exec('flushdb', 'SYNC')).toBe('OK');
    expect(exec('flushall', 'Async')).toBe('OK');
    expect(exec('flushdb', 'foo')).toEqual({ error: 'ERR syntax error' });
    expect(exec('flushdb', 'async', 'sync')).toEqual({ error: 'ERR syntax error' });
    expect(exec('flushall', 'foo')).toEqual({ error: 'ERR syntax error' });
  });
});

describe('RANDOMKEY', () => {
  it('answers nil on an empty database and a live key otherwise', () => {
    const { exec, clock } = engineHarness();
    expect(exec('randomkey')).toBeNull();
    exec('set', 'gone', '1', 'px', 10);
    exec('set', 'stays', '1');
    clock.advance(10);
    for (let i = 0; i < 5; i++) expect(exec('randomkey')).toBe('stays');
    exec('mset', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(exec('randomkey'));
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'stays']);
    expect(exec('randomkey', 'x')).toEqual(arity('randomkey'));
  });

  it('answers nil when every key has expired, removing them', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'a', '1', 'px', 10);
    exec('set', 'b', '1', 'px', 10);
    clock.advance(10);
    expect(exec('randomkey')).toBeNull();
    expect(exec('dbsize')).toBe(0);
  });
});

describe('RENAME / RENAMENX', () => {
  it('moves the value with its TTL', () => {
    const { exec } = engineHarness();
    expect(exec('rename', 'nokey', 'x')).toEqual({ error: 'ERR no such key' });
    expect(exec('renamenx', 'nokey', 'x')).toEqual({ error: 'ERR no such key' });
    exec('set', 'a', '1');
    expect(exec('rename', 'a', 'a')).toBe('OK');
    expect(exec('renamenx', 'a', 'a')).toBe(0);
    exec('expire', 'a', 100);
    exec('set', 'b', '2');
    expect(exec('rename', 'a', 'b')).toBe('OK');
    expect(exec('get', 'b')).toBe('1');
    expect(exec('ttl', 'b')).toBe(100);
    expect(exec('exists', 'a')).toBe(0);
    exec('set', 'c', '3');
    expect(exec('renamenx', 'b', 'c')).toBe(0);
    expect(exec('renamenx', 'b', 'd')).toBe(1);
    expect(exec('ttl', 'd')).toBe(100);
    expect(exec('get', 'd')).toBe('1');
  });

  it('clears the destination TTL when the source has none', () => {
    const { exec } = engineHarness();
    exec('set', 'src', 'v');
    exec('set', 'dst', 'old', 'ex', 50);
    expect(exec('rename', 'src', 'dst')).toBe('OK');
    expect(exec('ttl', 'dst')).toBe(-1);
  });

  it('moves any type and treats expired sources as missing', () => {
    const { exec, clock } = engineHarness();
    exec('hset', 'h', 'f', 'v');
    expect(exec('rename', 'h', 'h2')).toBe('OK');
    expect(exec('hget', 'h2', 'f')).toBe('v');
    exec('set', 'e', 'v', 'px', 5);
    clock.advance(5);
    expect(exec('rename', 'e', 'x')).toEqual({ error: 'ERR no such key' });
    expect(exec('rename', 'e')).toEqual(arity('rename'));
  });
});

describe('COPY', () => {
  it('copies strings with their TTL, honouring REPLACE', () => {
    const { exec } = engineHarness();
    exec('set', 'b', '2', 'ex', 100);
    exec('set', 'c', '3');
    expect(exec('copy', 'b', 'c')).toBe(0);
    expect(exec('get', 'c')).toBe('3');
    expect(exec('copy', 'b', 'c', 'replace')).toBe(1);
    expect(exec('get', 'c')).toBe('2');
    expect(exec('ttl', 'c')).toBe(100);
    expect(exec('copy', 'nokey', 'x')).toBe(0);
    expect(exec('copy', 'b', 'x', 'REPLACE', 'replace')).toBe(1);
  });

  it('copies across databases', () => {
    const { exec, session } = engineHarness();
    exec('set', 'b', '1');
    expect(exec('copy', 'b', 'b', 'db', 1)).toBe(1);
    expect(exec('copy', 'b', 'x', 'db', 1, 'db', 2)).toBe(1);
    session.db = 1;
    expect(exec('get', 'b')).toBe('1');
    expect(exec('exists', 'x')).toBe(0);
    session.db = 2;
    expect(exec('get', 'x')).toBe('1');
  });

  it('checks its options like Redis', () => {
    const { exec } = engineHarness();
    exec('set', 'b', '1');
    expect(exec('copy', 'b', 'b')).toEqual({ error: 'ERR source and destination objects are the same' });
    expect(exec('copy', 'b', 'x', 'db', 16)).toEqual({ error: 'ERR DB index is out of range' });
    expect(exec('copy', 'b', 'x', 'db', -1)).toEqual({ error: 'ERR DB index is out of range' });
    expect(exec('copy', 'b', 'x', 'db', 'abc')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('copy', 'b', 'x', 'db', '2147483648')).toEqual({
      error: 'ERR value is out of range, value must between -2147483648 and 2147483647',
    });
    expect(exec('copy', 'b', 'x', 'db')).toEqual({ error: 'ERR syntax error' });
    expect(exec('copy', 'b', 'x', 'foo')).toEqual({ error: 'ERR syntax error' });
    expect(exec('copy', 'b')).toEqual(arity('copy'));
  });

  it('deep-copies hashes and appended strings', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1', 'b', '2');
    expect(exec('copy', 'h', 'h2')).toBe(1);
    exec('hset', 'h2', 'c', '3');
    exec('hdel', 'h', 'a');
    expect(exec('hmget', 'h', 'a', 'b', 'c')).toEqual([null, '2', null]);
    expect(exec('hmget', 'h2', 'a', 'b', 'c')).toEqual(['1', '2', '3']);
    exec('set', 's', 'x');
    exec('append', 's', 'y');
    exec('copy', 's', 's2');
    exec('append', 's', 'z');
    exec('append', 's2', 'w');
    expect(exec('get', 's')).toBe('xyz');
    expect(exec('get', 's2')).toBe('xyw');
    expect(exec('object', 'encoding', 's2')).toBe('raw');
  });

  it('deep-copies sorted sets with payloads and weights', () => {
    const { exec, engine } = engineHarness();
    exec('zadd', 'z', 1, 'a', 2, 'b', 3, 'c');
    const src = engine.dbs[0]!.data.get('z');
    if (src?.type !== 'zset') throw new Error('zadd did not make a zset');
    src.v.setPayload(Buffer.from('b'), Buffer.from('meta'), 7);
    expect(exec('copy', 'z', 'z2')).toBe(1);
    exec('zadd', 'z2', 4, 'd');
    exec('zrem', 'z', 'a');
    expect(exec('zrange', 'z', 0, -1, 'withscores')).toEqual(['b', 2, 'c', 3]);
    expect(exec('zrange', 'z2', 0, -1, 'withscores')).toEqual(['a', 1, 'b', 2, 'c', 3, 'd', 4]);
    const dst = engine.dbs[0]!.data.get('z2');
    if (dst?.type !== 'zset') throw new Error('copy did not make a zset');
    expect(dst.v.payload(Buffer.from('b'))?.toString()).toBe('meta');
    expect(dst.v.weightBetween(0, dst.v.size)).toBe(7);
    expect(exec('object', 'encoding', 'z2')).toBe('listpack');
  });

  it('deep-copies lists and sets', () => {
    const { exec, engine } = engineHarness();
    const db = engine.dbs[0]!;
    db.set('l', { type: 'list', v: List.from([Buffer.from('x')]) });
    db.set('st', { type: 'set', v: new Set(['1', '2']) });
    exec('copy', 'l', 'l2');
    exec('copy', 'st', 'st2');
    expect(db.data.get('l2')).toEqual(db.data.get('l'));
    expect(db.data.get('l2')).not.toBe(db.data.get('l'));
    const st2 = db.data.get('st2');
    expect(st2?.type === 'set' && [...st2.v]).toEqual(['1', '2']);
    expect(st2?.v).not.toBe(db.data.get('st')?.v);
  });
});
