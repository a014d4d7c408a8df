import { engineHarness, type Plain } from '../../helpers/engine';
import { NOT_INTEGER, putString, SYNTAX, WRONGTYPE } from './fixtures';

function seeded() {
  const h = engineHarness();
  h.exec('zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  putString(h, 's');
  return h;
}

const MEMBERS = ['a', 'b', 'c', 'd', 'e'];
const SCORE: Record<string, number> = { a: 1, b: 2, c: 3, d: 4, e: 5 };

describe('ZRANDMEMBER', () => {
  it('returns one random member, nil for a missing key', () => {
    const { exec } = seeded();
    expect(MEMBERS).toContain(exec('zrandmember', 'z'));
    expect(exec('zrandmember', 'missing')).toBeNull();
    expect(exec('zrandmember', 's')).toEqual(WRONGTYPE);
  });

  it('a positive count gives distinct members, in order', () => {
    const { exec } = seeded();
    for (let i = 0; i < 20; i++) {
      const r = exec('zrandmember', 'z', '3') as string[];
      expect(r).toHaveLength(3);
      expect(new Set(r).size).toBe(3);
      expect([...r].sort()).toEqual(r);
    }
    // the whole set once count >= size, highest first as Redis walks it
    expect(exec('zrandmember', 'z', '5')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(exec('zrandmember', 'z', '50', 'withscores')).toEqual(['e', 5, 'd', 4, 'c', 3, 'b', 2, 'a', 1]);
    expect(exec('zrandmember', 'z', '0')).toEqual([]);
    expect(exec('zrandmember', 'missing', '3')).toEqual([]);
  });

  it('a negative count samples with repetition', () => {
    const { exec } = seeded();
    const r = exec('zrandmember', 'z', '-20') as string[];
    expect(r).toHaveLength(20);
    for (const m of r) expect(MEMBERS).toContain(m);
    const w = exec('zrandmember', 'z', '-3', 'WITHSCORES') as Plain[];
    expect(w).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(w[i + 1]).toBe(SCORE[w[i] as string]);
  });

  it('WITHSCORES pairs up in RESP3', () => {
    const { exec, session } = seeded();
    session.resp = 3;
    const r = exec('zrandmember', 'z', '-4', 'withscores') as Array<[string, number]>;
    expect(r).toHaveLength(4);
    for (const [m, s] of r) expect(s).toBe(SCORE[m]);
    expect(exec('zrandmember', 'z', '1', 'withscores')).toEqual([[expect.any(String), expect.any(Number)]]);
  });

  it('validates the count and options', () => {
    const { exec } = seeded();
    expect(exec('zrandmember', 'z', 'abc')).toEqual(NOT_INTEGER);
    expect(exec('zrandmember', 'missing', 'abc')).toEqual(NOT_INTEGER);
    expect(exec('zrandmember', 'z', '1', 'withscores', 'x')).toEqual(SYNTAX);
    expect(exec('zrandmember', 'z', '1', 'foo')).toEqual(SYNTAX);
    expect(exec('zrandmember', 'z', '-9223372036854775808')).toEqual({
      error: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    });
    const outOfRange = { error: 'ERR value is out of range' };
    expect(exec('zrandmember', 'z', '4611686018427387904', 'withscores')).toEqual(outOfRange);
    expect(exec('zrandmember', 'z', '-4611686018427387904', 'withscores')).toEqual(outOfRange);
    expect(exec('zrandmember', 'z', '4611686018427387903', 'withscores')).toHaveLength(10);
    expect(exec('zrandmember', 's', '0')).toEqual(WRONGTYPE);
    // a divergence on purpose: billions of repeated samples would exhaust memory, so they are refused
    expect(exec('zrandmember', 'z', '-10000000000')).toEqual(outOfRange);
    expect(exec('zrandmember', 'missing', '-10000000000')).toEqual([]);
  });
});

describe('ZSCAN', () => {
  it('returns a small set whole with cursor 0, scores as strings', () => {
    const { exec, session } = seeded();
    expect(exec('zscan', 'z', '0')).toEqual(['0', ['a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5']]);
    expect(exec('zscan', 'z', '0', 'count', '1')).toEqual(['0', ['a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5']]);
    expect(exec('zscan', 'z', '12345', 'match', '[bd]')).toEqual(['0', ['b', '2', 'd', '4']]);
    expect(exec('zscan', 'z', '0', 'MATCH', '*')).toHaveLength(2);
    session.resp = 3;
    exec('zadd', 'f', '1.1', 'x', 'inf', 'y');
    expect(exec('zscan', 'f', '0')).toEqual(['0', ['x', '1.1000000000000001', 'y', 'inf']]);
  });

  it('walks a large set by cursor, COUNT entries at a time', () => {
    const { exec } = engineHarness();
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(String(i), `m${String(i).padStart(3, '0')}`);
    exec('zadd', 'big', ...args);
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = exec('zscan', 'big', cursor, 'count', '50') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) {
        expect(items[i + 1]).toBe(String(Number(items[i]!.slice(1))));
        seen.push(items[i]!);
      }
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBe(6);
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    const [, matched] = exec('zscan', 'big', '0', 'match', 'm00*', 'count', '1000') as [string, string[]];
    expect(matched.filter((_, i) => i % 2 === 0)).toEqual([
      'm000',
      'm001',
      'm002',
      'm003',
      'm004',
      'm005',
      'm006',
      'm007',
      'm008',
      'm009',
    ]);
    expect(exec('zscan', 'big', '300')).toEqual(['0', []]);
    expect(exec('zscan', 'big', '-1')).toEqual(['0', []]);
  });

  it('parses the cursor like strtoul and checks options after the key', () => {
    const { exec } = seeded();
    const invalid = { error: 'ERR invalid cursor' };
    for (const bad of ['abc', ' 1', '1 ', '18446744073709551616', '+', '1.5']) {
      expect(exec('zscan', 'z', bad)).toEqual(invalid);
    }
    expect(exec('zscan', 'missing', 'abc')).toEqual(invalid);
    for (const ok of ['', '-1', '+3', '18446744073709551615']) expect(exec('zscan', 'z', ok)).toHaveLength(2);
    expect(exec('zscan', 'missing', '0', 'count', '0')).toEqual(['0', []]);
    expect(exec('zscan', 's', '0')).toEqual(WRONGTYPE);
    expect(exec('zscan', 'z', '0', 'count', '0')).toEqual(SYNTAX);
    expect(exec('zscan', 'z', '0', 'count', 'x')).toEqual(NOT_INTEGER);
    expect(exec('zscan', 'z', '0', 'match')).toEqual(SYNTAX);
    expect(exec('zscan', 'z', '0', 'type', 'zset')).toEqual(SYNTAX);
  });
});
