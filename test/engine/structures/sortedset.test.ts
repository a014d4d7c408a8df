import fc from 'fast-check';
import { SortedSet } from '../../../src/engine/structures/sortedset';

interface ModelEntry {
  member: Buffer;
  score: number;
  payload: Buffer | undefined;
  weight: number;
}

function cmp(a: ModelEntry, b: ModelEntry): number {
  return a.score !== b.score ? (a.score < b.score ? -1 : 1) : Buffer.compare(a.member, b.member);
}

/**
 * The model: an array kept in Redis's (score, member bytes) order, -0 stored as 0; and the representation the set
 * must be in (see the header of sortedset.ts): lex mode from empty until a second distinct score appears, then
 * scored mode until the set is empty again.
 */
class Model {
  entries: ModelEntry[] = [];
  lexMode = true;
  find(m: Buffer): number {
    return this.entries.findIndex((e) => e.member.equals(m));
  }
  add(member: Buffer, score: number): boolean {
    score = score === 0 ? 0 : score;
    const i = this.find(member);
    const n = this.entries.length;
    // a lone member changing its score keeps lex mode; any other second score leaves it
    if (this.lexMode && n > 0 && score !== this.entries[0].score && !(n === 1 && i === 0)) this.lexMode = false;
    let payload: Buffer | undefined;
    let weight = 0;
    if (i >= 0) {
      ({ payload, weight } = this.entries[i]);
      this.entries.splice(i, 1);
    }
    this.entries.push({ member, score, payload, weight });
    this.entries.sort(cmp);
    return i < 0;
  }
  remove(member: Buffer): boolean {
    const i = this.find(member);
    if (i >= 0) this.entries.splice(i, 1);
    if (this.entries.length === 0) this.lexMode = true;
    return i >= 0;
  }
  /** Removes ranks start..stop inclusive (clamped); returns how many. */
  removeRange(start: number, stop: number): number {
    const removed = this.entries.splice(start, Math.max(0, Math.min(stop, this.entries.length - 1) - start + 1));
    if (this.entries.length === 0) this.lexMode = true;
    return removed.length;
  }
  get uniform(): boolean {
    return this.entries.every((e) => e.score === this.entries[0].score);
  }
}

const memberArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a.map((x) => [0, 1, 0x61, 0x80, 0xff][x % 5]))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1024, maxLength: 1100 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom('😀', '\u{10ffff}', 'é', '\uffff', '').map((s) => Buffer.from(s)) },
);
const scoreArb = fc.constantFrom(0, -0, 1, -1, 2.5, -2.5, Infinity, -Infinity, 1e300, -1e-300, Number.MIN_VALUE);

type Op =
  | { t: 'add'; member: Buffer; score: number }
  | { t: 'addSame'; member: Buffer }
  | { t: 'remove'; member: Buffer }
  | { t: 'removeRange'; a: number; b: number }
  | { t: 'setPayload'; member: Buffer; payload: Buffer | undefined; weight: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('add' as const), member: memberArb, score: scoreArb }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('addSame' as const), member: memberArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('remove' as const), member: memberArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('removeRange' as const), a: fc.nat(30), b: fc.nat(30) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('setPayload' as const),
      member: memberArb,
      payload: fc.option(
        fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
        { nil: undefined },
      ),
      weight: fc.integer({ min: 0, max: 1 << 30 }),
    }),
  },
);

/** Everything the set answers, against the model; `lexMode`: the representation expected. */
function check(zs: SortedSet, model: Model, probes: Buffer[], lexMode = model.lexMode): void {
  zs.checkInvariants();
  const m = model.entries;
  const n = m.length;
  expect(zs.size).toBe(n);
  expect(zs.isLexMode).toBe(lexMode);
  // every member and payload byte is accounted for (the trees' overheads come on top)
  expect(zs.byteSize()).toBeGreaterThanOrEqual(
    64 + m.reduce((sum, e) => sum + e.member.length + (e.payload?.length ?? 0), 0),
  );
  const hex = (b: Buffer) => b.toString('hex');
  expect([...zs].map(([mem, s]) => [hex(mem), s])).toEqual(m.map((e) => [hex(e.member), e.score]));
  const scanned: [string, number, string | undefined][] = [];
  zs.scan(0, (mem, s, p) => {
    scanned.push([hex(mem), s, p && hex(p)]);
    return true;
  });
  expect(scanned).toEqual(m.map((e) => [hex(e.member), e.score, e.payload && hex(e.payload)]));
  if (n > 0) {
    const { members, scores } = zs.slice(0, n - 1, false, true);
    expect(members.map(hex)).toEqual(m.map((e) => hex(e.member)));
    expect(scores).toEqual(m.map((e) => e.score));
    const a = Math.floor(n / 3);
    const b = Math.floor((2 * n) / 3);
    const revScored = zs.slice(a, b, true, true);
    expect(revScored.scores).toEqual(
      m
        .slice(a, b + 1)
        .reverse()
        .map((e) => e.score),
    );
    expect(revScored.members.map(hex)).toEqual(
      m
        .slice(a, b + 1)
        .reverse()
        .map((e) => hex(e.member)),
    );
    const rev = zs.slice(a, b, true, false);
    expect(rev.members.map(hex)).toEqual(
      m
        .slice(a, b + 1)
        .reverse()
        .map((e) => hex(e.member)),
    );
    expect(rev.scores).toEqual([]);
  }
  for (let r = 0; r < n; r++) {
    const e = m[r];
    expect(zs.rank(e.member)).toBe(r);
    expect(zs.score(e.member)).toBe(e.score); // toBe compares with Object.is: a -0 would fail (the model holds 0)
    expect(zs.at(r)).toEqual([e.member, e.score]);
    expect(zs.payload(e.member)).toEqual(e.payload);
    expect(zs.weight(e.member)).toBe(e.weight);
  }
  expect(zs.at(n)).toBeUndefined();
  for (let a = 0; a <= n; a += Math.max(1, n >> 2)) {
    for (let b = a; b <= n; b += Math.max(1, n >> 2)) {
      expect(zs.weightBetween(a, b)).toBe(m.slice(a, b).reduce((s, e) => s + e.weight, 0));
    }
  }
  for (const s of [-Infinity, -1, -0, 0, 1, 2.5, Infinity]) {
    expect(zs.countBelowScore(s, false)).toBe(m.filter((e) => e.score < s).length);
    expect(zs.countBelowScore(s, true)).toBe(m.filter((e) => e.score <= s).length);
  }
  for (const p of probes) {
    const e = m.find((x) => x.member.equals(p));
    expect(zs.has(p)).toBe(e !== undefined);
    expect(zs.score(p)).toBe(e?.score);
  }
  const lexProbes = [...new Set(probes.map(hex))].map((h) => Buffer.from(h, 'hex')).sort(Buffer.compare);
  const lexCounts = lexProbes.flatMap((p) => [zs.countBelowLex(p, false), zs.countBelowLex(p, true)]);
  if (model.uniform) {
    // all scores equal: (score, member) order is member order, and the counts are exact
    expect(lexCounts).toEqual(
      lexProbes.flatMap((p) => [
        m.filter((x) => Buffer.compare(x.member, p) < 0).length,
        m.filter((x) => Buffer.compare(x.member, p) <= 0).length,
      ]),
    );
  } else {
    // Scores differ: Redis leaves lex ranges undefined here and the count is a descent comparing members only. It
    // must still grow with the probe (below(p) ≤ upTo(p) ≤ below(q) for p < q) and stay within the set, so that a
    // lex range never ends before it starts.
    expect(lexCounts).toEqual([...lexCounts].sort((a, b) => a - b));
    expect(lexCounts.filter((c) => c < 0 || c > n)).toEqual([]);
  }
}

function run(ops: Op[]): void {
  const zs = new SortedSet();
  const model = new Model();
  const probes: Buffer[] = [Buffer.alloc(0)];
  const handedOut: [Buffer, string][] = [];
  let sameScore = 0;
  for (const op of ops) {
    switch (op.t) {
      case 'add':
        expect(zs.add(op.member, op.score)).toBe(model.add(op.member, op.score));
        sameScore = op.score;
        probes.push(op.member);
        break;
      case 'addSame':
        expect(zs.add(op.member, sameScore)).toBe(model.add(op.member, sameScore));
        probes.push(op.member);
        break;
      case 'remove':
        expect(zs.remove(op.member)).toBe(model.remove(op.member));
        break;
      case 'removeRange': {
        const a = Math.min(op.a, op.b);
        const b = Math.max(op.a, op.b);
        expect(zs.removeRange(a, b)).toBe(model.removeRange(a, b));
        break;
      }
      case 'setPayload': {
        const i = model.find(op.member);
        expect(zs.setPayload(op.member, op.payload, op.weight)).toBe(i >= 0);
        if (i >= 0) Object.assign(model.entries[i], { payload: op.payload, weight: op.weight });
        break;
      }
    }
    const first = zs.at(0);
    if (first) handedOut.push([first[0], first[0].toString('hex')]);
  }
  check(zs, model, probes.slice(-20));
  for (const [buf, h] of handedOut) expect(buf.toString('hex')).toBe(h);
  // a copy is built in lex mode exactly when every score is equal
  const copy = SortedSet.fromSorted(zs.entries());
  check(copy, model, probes.slice(-5), model.uniform);
}

describe('SortedSet vs a sorted-array model', () => {
  it('random adds / updates / removes / removeRange / setPayload', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 250 }), (ops) => run(ops)),
      { numRuns: 100 },
    );
  });
  it('large sets (several leaves per tree)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.constantFrom(0, 0, 0, 1, -1)), {
          minLength: 500,
          maxLength: 1500,
        }),
        (pairs) => {
          const zs = new SortedSet();
          const model = new Model();
          for (const [i, s] of pairs) {
            const member = Buffer.from(`member:${i}`);
            if (i % 7 === 0) expect(zs.remove(member)).toBe(model.remove(member));
            else expect(zs.add(member, s)).toBe(model.add(member, s));
          }
          check(zs, model, [Buffer.from('member:1'), Buffer.from('member:5'), Buffer.from('z')]);
        },
      ),
      { numRuns: 4 },
    );
  });
});

describe('SortedSet', () => {
  it("copies made by fromSorted with the set's WeightOf derive their weights from payloads, like the set", () => {
    const weightOf = (_b: Uint8Array, s: number, e: number) => e - s;
    const a = new SortedSet(weightOf);
    for (let i = 0; i < 300; i++)
      a.setWithPayload(Buffer.from(`k${String(i).padStart(3, '0')}`), 0, Buffer.alloc(i % 7), 12345);
    expect(a.weightBetween(0, a.size)).toBe(Array.from({ length: 300 }, (_, i) => i % 7).reduce((x, y) => x + y));
    const derived = SortedSet.fromSorted(a.entries(), a.weightOfPayloads);
    const generic = SortedSet.fromSorted(a.entries());
    expect(derived.weightBetween(0, 300)).toBe(a.weightBetween(0, 300));
    expect(generic.weightBetween(0, 300)).toBe(a.weightBetween(0, 300));
    // a later write: the derived copy ignores the weight given and derives it, the generic one keeps it
    derived.setPayload(Buffer.from('k001'), Buffer.alloc(30), 999);
    generic.setPayload(Buffer.from('k001'), Buffer.alloc(30), 999);
    expect([derived.weight(Buffer.from('k001')), generic.weight(Buffer.from('k001'))]).toEqual([30, 999]);
  });

  it('stays in lex mode while scores are equal and converts once they differ', () => {
    const zs = new SortedSet();
    for (const m of ['b', 'a', 'c']) zs.add(Buffer.from(m), 0);
    zs.setPayload(Buffer.from('a'), Buffer.from('meta-a'), 10);
    expect(zs.isLexMode).toBe(true);
    expect(zs.add(Buffer.from('b'), -0)).toBe(false);
    expect(zs.isLexMode).toBe(true);
    expect(zs.add(Buffer.from('c'), -5)).toBe(false);
    expect(zs.isLexMode).toBe(false);
    expect([...zs].map(([m, s]) => `${m}:${s}`)).toEqual(['c:-5', 'a:0', 'b:0']);
    expect(zs.payload(Buffer.from('a'))?.toString()).toBe('meta-a');
    expect(zs.weightBetween(0, 3)).toBe(10);
    zs.add(Buffer.from('a'), 7); // payload and weight follow the member
    expect(zs.payload(Buffer.from('a'))?.toString()).toBe('meta-a');
    expect(zs.rank(Buffer.from('a'))).toBe(2);
    expect(zs.weightBetween(2, 3)).toBe(10);
    zs.removeRange(0, 2);
    expect(zs.size).toBe(0);
    expect(zs.isLexMode).toBe(true);
    zs.checkInvariants();
  });

  it('a single member changes score without leaving lex mode', () => {
    const zs = new SortedSet();
    zs.add(Buffer.from('x'), 1);
    zs.add(Buffer.from('x'), 2);
    expect(zs.isLexMode).toBe(true);
    expect(zs.score(Buffer.from('x'))).toBe(2);
  });

  it('orders scores with -inf, negatives, -0/0, +inf', () => {
    const zs = new SortedSet();
    const scores = [Infinity, 0, -0, -Infinity, -1e-300, 1e-300, -2, 3, Number.MAX_VALUE, -Number.MAX_VALUE];
    for (const [i, s] of scores.entries()) zs.add(Buffer.from([i]), s);
    const sorted = [...zs].map(([, s]) => s);
    expect(sorted).toEqual([-Infinity, -Number.MAX_VALUE, -2, -1e-300, 0, 0, 1e-300, 3, Number.MAX_VALUE, Infinity]);
    expect(zs.countBelowScore(0, false)).toBe(4);
    expect(zs.countBelowScore(-0, true)).toBe(6);
    expect(zs.countBelowScore(Infinity, true)).toBe(10);
    expect(zs.countBelowScore(-Infinity, false)).toBe(0);
    expect(() => zs.add(Buffer.from('n'), Number.NaN)).toThrow();
  });

  it('reports Redis encodings (listpack up to 128 members of ≤ 64 bytes, then sticky skiplist)', () => {
    const zs = new SortedSet();
    for (let i = 0; i < 128; i++) zs.add(Buffer.from(`m${i}`), i);
    expect(zs.encoding()).toBe('listpack');
    zs.add(Buffer.from('m128'), 0);
    expect(zs.encoding()).toBe('skiplist');
    zs.remove(Buffer.from('m128'));
    expect(zs.encoding()).toBe('skiplist');
    zs.recomputeEncoding();
    expect(zs.encoding()).toBe('listpack');
    const long = new SortedSet();
    long.add(Buffer.alloc(64, 1), 0);
    expect(long.encoding()).toBe('listpack');
    long.add(Buffer.alloc(65, 1), 0);
    expect(long.encoding()).toBe('skiplist');
  });

  it('sums weights under a prefix in lex mode (folder size)', () => {
    const zs = SortedSet.fromSorted(
      ['a/1', 'a/2', 'b/1', 'b/2', 'b/3', 'c'].map((k, i) => ({
        member: Buffer.from(k),
        score: 0,
        payload: Buffer.from(`p${i}`),
        weight: 100 * (i + 1),
      })),
    );
    const start = zs.countBelowLex(Buffer.from('b/'), false);
    const end = zs.countBelowLex(Buffer.from('b0'), false); // successor of the prefix 'b/'
    expect([start, end]).toEqual([2, 5]);
    expect(zs.weightBetween(start, end)).toBe(300 + 400 + 500);
    expect(zs.payload(Buffer.from('b/3'))?.toString()).toBe('p4');
    expect(zs.byteSize()).toBeGreaterThanOrEqual(64 + 16 + 12); // the set's header, 16 member and 12 payload bytes
  });

  it('fromSorted rejects unordered input', () => {
    expect(() =>
      SortedSet.fromSorted([
        { member: Buffer.from('b'), score: 0 },
        { member: Buffer.from('a'), score: 0 },
      ]),
    ).toThrow();
  });
});

describe('SortedSet.lexCursor', () => {
  it('walks members in byte order with their payloads, in lex and in scored mode', () => {
    for (const scored of [false, true]) {
      const z = new SortedSet();
      const names = ['b', 'a/1', 'a/2', 'c', 'a/3'];
      names.forEach((m, i) => {
        z.add(Buffer.from(m), scored ? 10 - i : 0);
        if (i % 2 === 0) z.setPayload(Buffer.from(m), Buffer.from(`p${m}`), i);
      });
      expect(z.isLexMode).toBe(!scored);
      const c = z.lexCursor(Buffer.from('a/1'), true);
      const seen: string[] = [];
      do seen.push(`${c.key().toString()}=${c.value()?.toString() ?? '-'}`);
      while (c.next());
      expect(seen).toEqual(['a/2=pa/2', 'a/3=pa/3', 'b=pb', 'c=-']);
      const d = z.lexCursor(Buffer.from('a'), false);
      expect(d.seek(Buffer.from('a0'), false)).toBe(true);
      expect(d.key().toString()).toBe('b');
      expect(d.seek(Buffer.from('d'), false)).toBe(false);
    }
  });
});
