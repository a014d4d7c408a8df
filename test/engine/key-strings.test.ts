/**
 * keyOf (keyspace.ts) turns key bytes into the keyspace's latin1 strings through a small direct-mapped cache.
 * Whatever the cache holds, the string must be exactly the bytes' latin1 decoding: colliding slots, binary bytes,
 * lengths around the cache limit.
 */
import { keyOf } from '../../src/engine/keyspace';
import { Rng } from '../differential/random';
import { engineHarness } from '../helpers/engine';

describe('keyOf', () => {
  it('always returns the latin1 decoding of the bytes, through hits, misses and slot collisions', () => {
    const rng = new Rng(11);
    const keys: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const len = rng.pick([0, 1, 2, 5, 16, 47, 48, 49, 100]);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = rng.chance(0.7) ? 0x61 + rng.int(0, 2) : rng.int(0, 255);
      keys.push(b);
    }
    // many more keys than cache slots, each looked up several times in random order
    for (let round = 0; round < 4; round++) {
      for (const b of rng.shuffle([...keys])) expect(keyOf(b)).toBe(b.toString('latin1'));
    }
  });

  it('gives the same answers as the bytes for every key command (keys that share a cache slot stay apart)', () => {
    const { exec } = engineHarness();
    const rng = new Rng(12);
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) names.push(`k:${rng.int(0, 1_000_000)}`);
    const last = new Map<string, string>();
    for (const [i, k] of names.entries()) {
      exec('set', k, String(i));
      last.set(k, String(i));
    }
    for (const [k, v] of last) expect(exec('get', k)).toBe(v);
    expect(exec('dbsize')).toBe(last.size);
  });
});
