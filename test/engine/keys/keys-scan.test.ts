import { List } from '../../../src/engine/structures/list';
import { engineHarness, type Plain } from '../../helpers/engine';

const sorted = (r: Plain) => (Array.isArray(r) ? [...r].map(String).sort() : r);

describe('KEYS', () => {
  it('matches glob patterns like Redis', () => {
    const { exec } = engineHarness();
    exec('mset', 'hello', '1', 'hallo', '1', 'hxllo', '1', 'hllo', '1', 'heeeello', '1', 'h*llo', '1', 'abc', '1');
    expect(sorted(exec('keys', 'h?llo'))).toEqual(['h*llo', 'hallo', 'hello', 'hxllo']);
    expect(sorted(exec('keys', 'h*llo'))).toEqual(['h*llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    expect(sorted(exec('keys', 'h[ae]llo'))).toEqual(['hallo', 'hello']);
    expect(sorted(exec('keys', 'h[^e]llo'))).toEqual(['h*llo', 'hallo', 'hxllo']);
    expect(sorted(exec('keys', 'h[a-b]llo'))).toEqual(['hallo']);
    expect(sorted(exec('keys', 'h[b-a]llo'))).toEqual(['hallo']); // reversed ranges are swapped
    expect(exec('keys', 'h\\*llo')).toEqual(['h*llo']);
    expect(exec('keys', 'a\\bc')).toEqual(['abc']);
    expect(exec('keys', 'ab[c-')).toEqual(['abc']); // an unterminated class ends with the pattern
    expect(exec('keys', '[a')).toEqual([]);
    expect(exec('keys', 'abc\\')).toEqual([]);
    expect(exec('keys', 'nomatch*')).toEqual([]);
    expect(sorted(exec('keys', '*'))).toHaveLength(7);
    expect(exec('keys')).toEqual({ error: "ERR wrong number of arguments for 'keys' command" });
  });

  it('handles the empty key and binary keys', () => {
    const { exec, raw } = engineHarness();
    exec('set', '', 'x');
    expect(exec('keys', '*')).toEqual(['']);
    expect(exec('keys', '')).toEqual(['']);
    expect(exec('keys', '**')).toEqual([]); // Redis's matcher needs one byte for a repeated star
    exec('del', '');
    const bin = Buffer.from([0x61, 0x00, 0xff]);
    exec('set', bin, 'v');
    expect(raw('keys', Buffer.from([0x61, 0x00, 0x2a]))).toEqual({ t: 'array', v: [{ t: 'bulk', v: bin }] });
    expect(raw('keys', Buffer.from([0x61, 0x3f, 0xff]))).toEqual({ t: 'array', v: [{ t: 'bulk', v: bin }] });
  });

  it('skips expired keys', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'a', '1', 'px', 10);
    exec('set', 'b', '1');
    clock.advance(10);
    expect(exec('keys', '*')).toEqual(['b']);
  });
});

/** Runs a full SCAN iteration and returns every key seen, in order, with the number of calls. */
function scanAll(exec: (...a: Array<string | number>) => Plain, ...opts: Array<string | number>) {
  const seen: string[] = [];
  let cursor = '0';
  let calls = 0;
  do {
    const r = exec('scan', cursor, ...opts) as [string, string[]];
    cursor = r[0];
    seen.push(...r[1]);
    calls++;
  } while (cursor !== '0' && calls < 10_000);
  return { seen, calls };
}

describe('SCAN', () => {
  it('iterates every key once, COUNT at a time', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 95; i++) exec('set', `k${i}`, i);
    const { seen, calls } = scanAll(exec);
    expect(seen.length).toBe(95);
    expect(new Set(seen).size).toBe(95);
    expect(calls).toBe(10);
    expect(scanAll(exec, 'count', 1000).calls).toBe(1);
    expect(exec('scan', 0, 'count', 3)).toEqual(['3', ['k0', 'k1', 'k2']]);
  });

  it('filters with MATCH and TYPE', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 30; i++) exec('set', `user:${i}`, i);
    exec('set', 'other', 1);
    exec('hset', 'user:h', 'f', 'v');
    expect(scanAll(exec, 'match', 'user:1*').seen.sort()).toEqual(
      ['user:1', ...Array.from({ length: 10 }, (_, i) => `user:1${i}`)].sort(),
    );
    expect(scanAll(exec, 'type', 'hash').seen).toEqual(['user:h']);
    expect(scanAll(exec, 'TYPE', 'HASH', 'MATCH', 'other').seen).toEqual([]);
    expect(scanAll(exec, 'type', 'nosuchtype').seen).toEqual([]);
    expect(scanAll(exec, 'match', '*').seen.length).toBe(32);
  });

  it('returns every key present throughout, despite deletes and inserts between calls', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 100; i++) exec('set', `k${i}`, i);
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    do {
      const [next, keys] = exec('scan', cursor, 'count', 7) as [string, string[]];
      for (const k of keys) {
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
      // delete a key already returned and one not yet returned (odd ones), add a new one
      exec('del', `k${step * 2}`, `k${99 - step * 2}`);
      exec('set', `new${step}`, 1);
      cursor = next;
      step++;
    } while (cursor !== '0');
    for (let i = 0; i < 100; i++) {
      const deletedAt = i % 2 === 0 ? i / 2 : (99 - i) / 2;
      if (deletedAt >= step) expect(seen.has(`k${i}`)).toBe(true);
    }
  });

  it('resumes an uncached cursor by position', () => {
    const { exec, engine } = engineHarness();
    for (let i = 0; i < 20; i++) exec('set', `k${i}`, i);
    const other = engineHarness();
    for (let i = 0; i < 20; i++) other.exec('set', `k${i}`, i);
    // a cursor handed out by one engine works on another holding the same keys in the same order
    const [cursor] = other.exec('scan', 0, 'count', 5) as [string, string[]];
    expect(exec('scan', cursor, 'count', 5)).toEqual(['10', ['k5', 'k6', 'k7', 'k8', 'k9']]);
    expect(exec('scan', '1000', 'count', 5)).toEqual(['0', []]);
    expect(engine.dbs[0]!.size).toBe(20);
  });

  it('expires stale keys it meets', () => {
    const { exec, clock } = engineHarness();
    exec('set', 'a', '1', 'px', 10);
    exec('set', 'b', '1');
    clock.advance(10);
    expect(exec('scan', 0)).toEqual(['0', ['b']]);
    expect(exec('dbsize')).toBe(1);
  });

  it('parses cursors and options like Redis', () => {
    const { exec } = engineHarness();
    exec('set', 'a', '1');
    expect(exec('scan', '')).toEqual(['0', ['a']]);
    expect(exec('scan', '+0')).toEqual(['0', ['a']]);
    expect(exec('scan', '-1')).toEqual(['0', []]);
    expect(exec('scan', '18446744073709551615')).toEqual(['0', []]);
    const invalid = { error: 'ERR invalid cursor' };
    expect(exec('scan', '18446744073709551616')).toEqual(invalid);
    expect(exec('scan', 'abc')).toEqual(invalid);
    expect(exec('scan', ' 1')).toEqual(invalid);
    expect(exec('scan', 'abc', 'count', 0)).toEqual(invalid);
    const syntax = { error: 'ERR syntax error' };
    expect(exec('scan', 0, 'count', 0)).toEqual(syntax);
    expect(exec('scan', 0, 'count', -1)).toEqual(syntax);
    expect(exec('scan', 0, 'count', 'abc')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('scan', 0, 'match')).toEqual(syntax);
    expect(exec('scan', 0, 'foo', 'bar')).toEqual(syntax);
    expect(exec('scan')).toEqual({ error: "ERR wrong number of arguments for 'scan' command" });
  });
});

describe('OBJECT', () => {
  it('reports string encodings like Redis 7.0', () => {
    const { exec } = engineHarness();
    const enc = (k: string) => exec('object', 'encoding', k);
    exec('set', 'n', '123');
    exec('set', 'neg', '-5');
    exec('set', 'max', '9223372036854775807');
    exec('set', 'big', '9223372036854775808');
    exec('set', 'lead0', '0123');
    exec('set', 's', 'hello');
    exec('set', 'e44', 'x'.repeat(44));
    exec('set', 'e45', 'x'.repeat(45));
    expect(enc('n')).toBe('int');
    expect(enc('neg')).toBe('int');
    expect(enc('max')).toBe('int');
    expect(enc('big')).toBe('embstr');
    expect(enc('lead0')).toBe('embstr');
    expect(enc('s')).toBe('embstr');
    expect(enc('e44')).toBe('embstr');
    expect(enc('e45')).toBe('raw');
    exec('append', 'a', '123');
    expect(enc('a')).toBe('int');
    exec('append', 'a', '4');
    expect(enc('a')).toBe('raw');
    exec('incr', 'a');
    expect(enc('a')).toBe('int');
    exec('setrange', 'sr', 0, '1');
    expect(enc('sr')).toBe('raw');
    exec('incrbyfloat', 'f', '5');
    expect(enc('f')).toBe('embstr');
    expect(exec('object', 'encoding', 'nokey')).toBeNull();
  });

  it('reports hash, zset, list and set encodings', () => {
    const { exec, engine } = engineHarness();
    exec('hset', 'h', 'f', 'v');
    expect(exec('object', 'encoding', 'h')).toBe('listpack');
    exec('hset', 'h', 'long', 'x'.repeat(65));
    expect(exec('object', 'encoding', 'h')).toBe('hashtable');
    exec('zadd', 'z', 1, 'a');
    expect(exec('object', 'encoding', 'z')).toBe('listpack');
    const db = engine.dbs[0]!;
    db.set('l', { type: 'list', v: List.from([Buffer.from('a')]) });
    db.set('si', { type: 'set', v: new Set(['1', '2']) });
    db.set('ss', { type: 'set', v: new Set(['1', 'a']) });
    expect(exec('object', 'encoding', 'l')).toBe('quicklist');
    expect(exec('object', 'encoding', 'si')).toBe('intset');
    expect(exec('object', 'encoding', 'ss')).toBe('hashtable');
  });

  it('answers REFCOUNT, IDLETIME, FREQ and HELP', () => {
    const { exec } = engineHarness();
    exec('set', 'n', '123');
    exec('set', 'big', '123456');
    exec('set', 's', 'hello');
    expect(exec('object', 'refcount', 'n')).toBe(2147483647); // a shared integer
    expect(exec('object', 'refcount', 'big')).toBe(1);
    expect(exec('object', 'refcount', 's')).toBe(1);
    expect(exec('object', 'refcount', 'nokey')).toBeNull();
    expect(exec('object', 'idletime', 's')).toBe(0);
    expect(exec('object', 'freq', 's')).toEqual({
      error:
        'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
    expect(exec('object', 'freq', 'nokey')).toBeNull();
    const help = exec('OBJECT', 'help') as string[];
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.length).toBe(15);
  });

  it('checks subcommands and their arity', () => {
    const { exec } = engineHarness();
    expect(exec('object', 'Encoding')).toEqual({
      error: "ERR wrong number of arguments for 'object|encoding' command",
    });
    expect(exec('object', 'encoding', 'a', 'b')).toEqual({
      error: "ERR wrong number of arguments for 'object|encoding' command",
    });
    expect(exec('object', 'help', 'x')).toEqual({ error: "ERR wrong number of arguments for 'object|help' command" });
    expect(exec('object', 'foo')).toEqual({ error: "ERR unknown subcommand 'foo'. Try OBJECT HELP." });
    expect(exec('object')).toEqual({ error: "ERR wrong number of arguments for 'object' command" });
  });
});
