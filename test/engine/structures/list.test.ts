/** Property test: the List structure against a plain array, through random operations in both representations. */
import { List, PACKED_MAX_ENTRIES, PACKED_MAX_ENTRY } from '../../../src/engine/structures/list';
import { Rng } from '../../differential/random';

const VALUES = ['', 'a', 'b', 'hello', 'x'.repeat(PACKED_MAX_ENTRY), 'y'.repeat(PACKED_MAX_ENTRY + 1), '\x00\xff'];
const text = (l: List): string[] => l.toArray().map((b) => b.toString('latin1'));

function check(l: List, model: string[]): void {
  expect(l.length).toBe(model.length);
  expect(text(l)).toEqual(model);
  expect([...l].map((b) => b.toString('latin1'))).toEqual(model);
  expect([...l.valuesFromRight()].map(([i, b]) => [i, b.toString('latin1')])).toEqual(
    model.map((v, i) => [i, v] as [number, string]).reverse(),
  );
  const fits = model.length <= PACKED_MAX_ENTRIES && model.every((v) => v.length <= PACKED_MAX_ENTRY);
  if (!fits) expect(l.representation).toBe('ring');
}

describe('List', () => {
  it.each([1, 2, 3, 4, 5, 6])('matches an array through random operations (seed %i)', (seed) => {
    const rng = new Rng(seed);
    const l = new List();
    let model: string[] = [];
    let sawRing = false;
    // phases: growing lists (push-heavy) and shrinking ones, so both representations and the switches are hit
    for (let step = 0; step < 4000; step++) {
      const growing = Math.floor(step / 500) % 2 === 0;
      const v = rng.chance(0.9) ? rng.pick(VALUES.slice(0, 5)) : rng.pick(VALUES);
      const op = rng.int(0, 13);
      const n = model.length;
      const i = n === 0 ? 0 : rng.int(0, n - 1);
      if (op <= 3 && (growing || rng.chance(0.3))) {
        if (op % 2 === 0) {
          l.pushLeft(Buffer.from(v, 'latin1'));
          model.unshift(v);
        } else {
          l.push('right', Buffer.from(v, 'latin1'));
          model.push(v);
        }
      } else if (op <= 5) {
        const side = op === 4 ? 'left' : 'right';
        const got = l.pop(side)?.toString('latin1');
        expect(got).toBe(side === 'left' ? model.shift() : model.pop());
      } else if (op === 6) {
        expect(l.at(i)?.toString('latin1')).toBe(model[i]);
        expect(l.at(n)).toBeUndefined();
        expect(l.at(-1)).toBeUndefined();
      } else if (op === 7) {
        expect(l.set(i, Buffer.from(v, 'latin1'))).toBe(n > 0);
        if (n > 0) model[i] = v;
      } else if (op === 8 && growing) {
        const at = rng.int(0, n);
        l.insert(at, Buffer.from(v, 'latin1'));
        model.splice(at, 0, v);
      } else if (op === 9 && n > 0) {
        expect(l.removeAt(i).toString('latin1')).toBe(model[i]);
        model.splice(i, 1);
      } else if (op === 10) {
        const s = rng.int(-2, n + 2);
        const e = rng.int(-2, n + 2);
        expect(l.range(s, e).map((b) => b.toString('latin1'))).toEqual(model.slice(Math.max(0, s), Math.max(0, e)));
      } else if (op === 11 && !growing && rng.chance(0.2)) {
        const s = rng.int(0, n);
        const e = rng.int(s, n);
        l.trim(s, e);
        model = model.slice(s, e);
      } else if (op === 12 && rng.chance(0.3)) {
        const count = rng.int(-3, 3);
        const removed = l.removeEqual(Buffer.from(v, 'latin1'), count);
        const idx = model.map((x, j) => (x === v ? j : -1)).filter((j) => j >= 0);
        const drop = count === 0 ? idx : count > 0 ? idx.slice(0, count) : idx.slice(count).slice(0, -count);
        expect(removed).toBe(drop.length);
        model = model.filter((_, j) => !drop.includes(j));
      } else if (op === 13 && rng.chance(0.05)) {
        const c = l.clone();
        c.pushRight(Buffer.from('clone-only'));
        check(l, model);
        expect(c.length).toBe(model.length + 1);
      }
      if (l.representation === 'ring') sawRing = true;
      if (step % 25 === 0) check(l, model);
    }
    check(l, model);
    expect(sawRing).toBe(true);
  });

  it('keeps small lists packed, switches to a ring past the limits and packs again when small', () => {
    const l = new List();
    for (let i = 0; i < PACKED_MAX_ENTRIES; i++) l.pushRight(Buffer.from(`v${i}`));
    expect(l.representation).toBe('packed');
    l.pushLeft(Buffer.from('one too many'));
    expect(l.representation).toBe('ring');
    while (l.length > 32) l.popLeft();
    expect(l.representation).toBe('packed');
    expect(l.at(0)?.toString()).toBe(`v${PACKED_MAX_ENTRIES - 32}`);
    l.set(3, Buffer.alloc(PACKED_MAX_ENTRY + 1));
    expect(l.representation).toBe('ring');
    expect(List.from([Buffer.from('a'), Buffer.from('b')]).representation).toBe('packed');
  });

  it('hands out entries that later changes never alter', () => {
    const l = List.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
    const views = l.toArray();
    l.set(1, Buffer.from('X'));
    l.popLeft();
    l.pushRight(Buffer.from('d'));
    expect(views.map(String)).toEqual(['a', 'b', 'c']);
    expect(text(l)).toEqual(['X', 'c', 'd']);
  });

  it('pushes and pops at both ends of a large list in constant time', () => {
    const l = new List();
    const big = Buffer.alloc(100);
    for (let i = 0; i < 200_000; i++) l.pushLeft(big);
    const t = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) {
      l.pushLeft(big);
      l.popRight();
      l.pushRight(big);
      l.popLeft();
    }
    expect(l.length).toBe(200_000);
    // an O(n) unshift would take minutes here
    expect(Number(process.hrtime.bigint() - t) / 1e9).toBeLessThan(2);
  });
});
