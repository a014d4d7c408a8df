import { parseScanCursor } from '../../../src/engine/commands/scan-args';
import { globMatch } from '../../../src/engine/glob';
import { engineHarness } from '../../helpers/engine';

const SYNTAX = { error: 'ERR syntax error' };

describe('HSCAN', () => {
  it('returns a small hash whole with cursor 0, whatever the cursor', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(exec('hscan', 'h', '0')).toEqual(['0', ['a', '1', 'b', '2', 'c', '3']]);
    expect(exec('hscan', 'h', '5', 'count', '1')).toEqual(['0', ['a', '1', 'b', '2', 'c', '3']]);
    expect(exec('hscan', 'h', '0', 'match', '[ab]')).toEqual(['0', ['a', '1', 'b', '2']]);
    expect(exec('hscan', 'nokey', '0', 'count', '0')).toEqual(['0', []]);
  });

  it('walks a large hash (over hash-max-listpack-entries) with a cursor until it returns 0', () => {
    const { exec } = engineHarness();
    for (let i = 0; i < 600; i++) exec('hset', 'h', `f${i}`, `${i}`);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = exec('hscan', 'h', cursor, 'count', '20') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(600);
    expect(calls).toBe(30);
    const [, onlyF1x] = exec('hscan', 'h', '0', 'count', '1000', 'match', 'f1?') as [string, string[]];
    expect(onlyF1x.filter((_, i) => i % 2 === 0).sort()).toEqual(
      ['f10', 'f11', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19'].sort(),
    );
  });

  it('parses cursors like strtoul and options like Redis', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1');
    expect(exec('hscan', 'h', 'abc')).toEqual({ error: 'ERR invalid cursor' });
    expect(exec('hscan', 'nokey', 'x')).toEqual({ error: 'ERR invalid cursor' });
    expect(exec('hscan', 'h', '18446744073709551616')).toEqual({ error: 'ERR invalid cursor' });
    expect(exec('hscan', 'h', '0', 'count', '0')).toEqual(SYNTAX);
    expect(exec('hscan', 'h', '0', 'count', 'abc')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('hscan', 'h', '0', 'match')).toEqual(SYNTAX);
    expect(exec('hscan', 'h', '0', 'foo', 'x')).toEqual(SYNTAX);
    expect(parseScanCursor(Buffer.from(''))).toBe(0n);
    expect(parseScanCursor(Buffer.from('-1'))).toBe(18446744073709551615n);
    expect(parseScanCursor(Buffer.from('+7'))).toBe(7n);
    expect(parseScanCursor(Buffer.from('-'))).toBeUndefined();
    expect(parseScanCursor(Buffer.from(' 1'))).toBeUndefined();
  });
});

describe('glob matching (stringmatchlen)', () => {
  const m = (p: string, s: string) => globMatch(Buffer.from(p, 'latin1'), Buffer.from(s, 'latin1'));
  it('handles *, ?, classes, ranges and escapes', () => {
    expect(m('*', '')).toBe(false); // as in Redis: the loop never runs on an empty subject
    expect(m('a*c', 'abbbc')).toBe(true);
    expect(m('a*c', 'abbbd')).toBe(false);
    expect(m('h?llo', 'hello')).toBe(true);
    expect(m('h[ae]llo', 'hallo')).toBe(true);
    expect(m('h[^e]llo', 'hello')).toBe(false);
    expect(m('h[a-b]llo', 'hbllo')).toBe(true);
    expect(m('h[b-a]llo', 'hbllo')).toBe(true);
    expect(m('h\\*llo', 'h*llo')).toBe(true);
    expect(m('h\\*llo', 'hallo')).toBe(false);
    expect(m('[', 'a')).toBe(false);
    expect(m('[^', 'a')).toBe(true);
    expect(m('a[', 'a')).toBe(false);
    expect(m('a**', 'a')).toBe(true);
    expect(m('*a*a*a*a*a*a*a*a*b', 'a'.repeat(60))).toBe(false);
  });
});

describe('HRANDFIELD', () => {
  it('picks one field, or nil for a missing key', () => {
    const { exec } = engineHarness();
    expect(exec('hrandfield', 'nokey')).toBeNull();
    exec('hset', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(['a', 'b', 'c']).toContain(exec('hrandfield', 'h'));
  });

  it('returns distinct fields for a positive count and the whole hash when count ≥ size', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1', 'b', '2', 'c', '3');
    const two = exec('hrandfield', 'h', '2') as string[];
    expect(new Set(two).size).toBe(2);
    expect(exec('hrandfield', 'h', '5', 'WITHVALUES')).toEqual(['a', '1', 'b', '2', 'c', '3']);
    expect(exec('hrandfield', 'h', '0')).toEqual([]);
    expect(exec('hrandfield', 'nokey', '5')).toEqual([]);
  });

  it('allows repeats for a negative count, and keeps values paired', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1', 'b', '2');
    const picks = exec('hrandfield', 'h', '-10', 'withvalues') as string[];
    expect(picks).toHaveLength(20);
    for (let i = 0; i < picks.length; i += 2) expect(exec('hget', 'h', picks[i]!)).toBe(picks[i + 1]);
  });

  it('nests [field, value] pairs under RESP3', () => {
    const { exec, session } = engineHarness();
    exec('hset', 'h', 'a', '1');
    session.resp = 3;
    expect(exec('hrandfield', 'h', '1', 'withvalues')).toEqual([['a', '1']]);
  });

  it('uses Redis error wording', () => {
    const { exec } = engineHarness();
    exec('hset', 'h', 'a', '1');
    expect(exec('hrandfield', 'h', 'abc')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(exec('hrandfield', 'h', '1', 'withvalue')).toEqual(SYNTAX);
    expect(exec('hrandfield', 'nokey', '1', 'withvalues', 'x')).toEqual(SYNTAX);
    expect(exec('hrandfield', 'h', '-9223372036854775808')).toEqual({
      error: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    });
    expect(exec('hrandfield', 'h', '-4611686018427387904', 'withvalues')).toEqual({
      error: 'ERR value is out of range',
    });
  });
});
