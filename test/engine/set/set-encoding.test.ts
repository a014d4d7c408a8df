import { engineHarness } from '../../helpers/engine';

const encoding = (exec: ReturnType<typeof engineHarness>['exec'], k: string) => exec('object', 'encoding', k);
const ints = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));

describe('set encodings (OBJECT ENCODING), as in Redis 7.0', () => {
  it('an integer set is an intset up to 512 members, then a hashtable for good', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', ...ints(0, 512));
    expect(encoding(exec, 's')).toBe('intset');
    exec('sadd', 's', '512');
    expect(encoding(exec, 's')).toBe('hashtable');
    exec('srem', 's', ...ints(0, 500));
    expect(encoding(exec, 's')).toBe('hashtable');
  });

  it('a non-integer member converts it for good; near-integers are strings', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', '1', '2');
    expect(encoding(exec, 's')).toBe('intset');
    exec('sadd', 's', 'x');
    exec('srem', 's', 'x');
    expect(encoding(exec, 's')).toBe('hashtable');
    for (const m of ['007', '-0', '+1', ' 1', '1.0', '9223372036854775808']) {
      exec('del', 'n');
      exec('sadd', 'n', '1', m);
      expect([m, encoding(exec, 'n')]).toEqual([m, 'hashtable']);
    }
    exec('sadd', 't', '9223372036854775807', '-9223372036854775808');
    expect(encoding(exec, 't')).toBe('intset');
  });

  it('store results and SPOP’s rebuilt remainder take the encoding of their contents', () => {
    const { exec } = engineHarness();
    exec('sadd', 'm', '1', '2', '3', 'x');
    exec('srem', 'm', 'x');
    exec('sadd', 'other', '2', '3', '4');
    for (const c of ['sinterstore', 'sunionstore', 'sdiffstore']) {
      exec(c, 'd', 'm', 'other');
      expect([c, encoding(exec, 'd')]).toEqual([c, 'intset']);
    }
    exec('sadd', 'p', ...ints(0, 600));
    exec('spop', 'p', '550'); // 50 remain: 50 * 5 <= 550, the rest is rebuilt
    expect(encoding(exec, 'p')).toBe('intset');
    exec('sadd', 'q', ...ints(0, 600));
    exec('spop', 'q', '50'); // popped one by one: stays a hashtable
    expect(encoding(exec, 'q')).toBe('hashtable');
  });

  it('SMOVE converts or creates its destination like SADD', () => {
    const { exec } = engineHarness();
    exec('sadd', 'src', '7', 'y', '8', 'z');
    exec('smove', 'src', 'd', '7');
    expect(encoding(exec, 'd')).toBe('intset');
    exec('smove', 'src', 'd', 'y');
    expect(encoding(exec, 'd')).toBe('hashtable');
    exec('smove', 'src', 'e', 'z');
    expect(encoding(exec, 'e')).toBe('hashtable');
  });

  it('TYPE and SCAN TYPE see sets', () => {
    const { exec } = engineHarness();
    exec('sadd', 's', 'a');
    exec('set', 'str', 'x');
    expect(exec('type', 's')).toBe('set');
    expect(exec('scan', '0', 'type', 'set')).toEqual(['0', ['s']]);
    expect(exec('copy', 's', 's2')).toBe(1);
    exec('sadd', 's2', 'b');
    expect(exec('smembers', 's')).toEqual(['a']);
  });
});
