import { compareSequencer, normaliseSequencer } from '../../src/index/sequencer';

describe('sequencer ordering', () => {
  const cmp = (a: string, b: string) => Math.sign(compareSequencer(normaliseSequencer(a)!, normaliseSequencer(b)!));
  it('is case-insensitive and compares after right-padding with 0', () => {
    expect(cmp('0055aed6dcd90281e5', '0055AED6DCD90281E5')).toBe(0);
    expect(cmp('0055AED6DCD90281E5', '0055AED6DCD90281F0')).toBe(-1);
    expect(cmp('00A', '00A000')).toBe(0);
    expect(cmp('00A1', '00A000')).toBe(1);
    // 16 lower-case digits (docs) against 18 upper-case (real events)
    expect(cmp('0055aed6dcd90281', '0055AED6DCD9028100')).toBe(0);
    expect(cmp('0055aed6dcd90282', '0055AED6DCD90281FF')).toBe(1);
  });
  it('rejects values that are not printable strings', () => {
    expect(normaliseSequencer('')).toBeUndefined();
    expect(normaliseSequencer(12)).toBeUndefined();
    expect(normaliseSequencer('a b')).toBeUndefined();
    expect(normaliseSequencer('x'.repeat(129))).toBeUndefined();
  });
});
