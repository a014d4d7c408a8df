import { engineHarness } from '../../helpers/engine';

const putString = (h: ReturnType<typeof engineHarness>, key: string): void =>
  h.engine.dbs[0]!.set(key, { type: 'string', v: Buffer.from('v') });

describe('HINCRBY', () => {
  it('increments from 0 and stores the decimal text', () => {
    const { exec } = engineHarness();
    expect(exec('hincrby', 'h', 'n', '5')).toBe(5);
    expect(exec('hincrby', 'h', 'n', '-7')).toBe(-2);
    expect(exec('hget', 'h', 'n')).toBe('-2');
  });

  it('is exact over the whole int64 range and reports overflow', () => {
    const { exec, raw } = engineHarness();
    expect(raw('hincrby', 'h', 'x', '9223372036854775807')).toEqual({ t: 'int', v: 9223372036854775807n });
    expect(exec('hincrby', 'h', 'x', '1')).toEqual({ error: 'ERR increment or decrement would overflow' });
    expect(exec('hincrby', 'h', 'y', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(exec('hincrby', 'h', 'y', '-1')).toEqual({ error: 'ERR increment or decrement would overflow' });
    expect(exec('hget', 'h', 'x')).toBe('9223372036854775807');
  });

  it('rejects bad increments before looking at the key, and non-integer fields', () => {
    const h = engineHarness();
    const { exec } = h;
    const notInt = { error: 'ERR value is not an integer or out of range' };
    putString(h, 's');
    expect(exec('hincrby', 's', 'f', 'abc')).toEqual(notInt);
    for (const bad of ['+5', '05', ' 1', '1.0', '9223372036854775808', '']) {
      expect(exec('hincrby', 'h', 'f', bad)).toEqual(notInt);
    }
    exec('hset', 'h', 'f', 'x', 'e', '');
    expect(exec('hincrby', 'h', 'f', '1')).toEqual({ error: 'ERR hash value is not an integer' });
    expect(exec('hincrby', 'h', 'e', '1')).toEqual({ error: 'ERR hash value is not an integer' });
  });
});

describe('HINCRBYFLOAT', () => {
  it('adds in long double precision like Redis', () => {
    const { exec } = engineHarness();
    expect(exec('hincrbyfloat', 'h', 'y', '0.1')).toBe('0.1');
    expect(exec('hincrbyfloat', 'h', 'y', '0.2')).toBe('0.3');
    expect(exec('hincrbyfloat', 'h', 'a', '1')).toBe('1');
    expect(exec('hincrbyfloat', 'h', 'a', '1e-20')).toBe('1');
    expect(exec('hincrbyfloat', 'h', 'z', '1e-20')).toBe('0');
    expect(exec('hincrbyfloat', 'h', 'v', '-0.0')).toBe('0');
    expect(exec('hincrbyfloat', 'h', 'm', '-0.00000000000000001')).toBe('-0.00000000000000001');
    expect(exec('hincrbyfloat', 'h', 'n', '0.000000000000000005')).toBe('0');
    expect(exec('hincrbyfloat', 'h', 'p', '0.000000000000000015')).toBe('0.00000000000000002');
    expect(exec('hincrbyfloat', 'h', 'q', '0.000000000000000025')).toBe('0.00000000000000002');
  });

  it('accepts the number forms strtold does', () => {
    const { exec } = engineHarness();
    expect(exec('hincrbyfloat', 'h', 'u', '0x1p3')).toBe('8');
    expect(exec('hincrbyfloat', 'h', 'u', '1.')).toBe('9');
    expect(exec('hincrbyfloat', 'h', 'u', '.5')).toBe('9.5');
    expect(exec('hincrbyfloat', 'h', 'u', '+5')).toBe('14.5');
    exec('hset', 'h', 'hx', '0x10');
    expect(exec('hincrbyfloat', 'h', 'hx', '1')).toBe('17');
    expect(exec('hincrby', 'h', 'hx', '1')).toBe(18);
  });

  it('prints huge results in full, as %.17Lf does', () => {
    const { exec } = engineHarness();
    const r = exec('hincrbyfloat', 'h', 'e', '1e400');
    expect(r).toBe(
      '10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880',
    );
    expect(exec('hincrbyfloat', 'h', 'q', '1e5000')).toEqual({ error: 'ERR value is not a valid float' });
  });

  it('uses Redis error wording', () => {
    const h = engineHarness();
    const { exec } = h;
    putString(h, 's');
    expect(exec('hincrbyfloat', 's', 'f', 'abc')).toEqual({ error: 'ERR value is not a valid float' });
    expect(exec('hincrbyfloat', 's', 'f', '1')).toEqual({
      error: 'WRONGTYPE Operation against a key holding the wrong kind of value',
    });
    expect(exec('hincrbyfloat', 'h', 'f', 'inf')).toEqual({ error: 'ERR value is NaN or Infinity' });
    expect(exec('hincrbyfloat', 'h', 'f', 'nan')).toEqual({ error: 'ERR value is not a valid float' });
    for (const bad of [' 1', '1 ', '1e', '', '0x', '.']) {
      expect(exec('hincrbyfloat', 'h', 'f', bad)).toEqual({ error: 'ERR value is not a valid float' });
    }
    exec('hset', 'h', 'f', 'x', 'i', 'inf');
    expect(exec('hincrbyfloat', 'h', 'f', '1')).toEqual({ error: 'ERR hash value is not a float' });
    expect(exec('hincrbyfloat', 'h', 'i', '1')).toEqual({ error: 'ERR increment would produce NaN or Infinity' });
    // finite in long double (max ≈ 1.19e4932), so Redis prints all 4933 digits
    expect(String(exec('hincrbyfloat', 'h', 'w', '1e4932'))).toMatch(/^100000000000000000000601894938\d{4903}$/);
  });
});
