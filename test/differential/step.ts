/**
 * One generated command and how its two replies are compared. Most replies must be byte-identical; the
 * exceptions are replies Redis leaves unspecified (order of KEYS, random picks, SCAN cursors) or that depend on
 * the wall clock (TTL), which are normalized before comparing.
 */
import { encodeResp2, type Resp2, type Target } from '../helpers/oracle';

export type Compare =
  | { readonly kind: 'exact' }
  /** an array whose order is unspecified (KEYS, HKEYS of a hashtable-encoded hash) */
  | { readonly kind: 'sorted' }
  /** a flat field, value, … array whose pair order is unspecified (HGETALL) */
  | { readonly kind: 'sortedPairs' }
  /** a SCAN-family call: iterate from the given cursor to 0 and compare the union of what was returned */
  | { readonly kind: 'scan'; readonly cursorAt: number; readonly pairs: boolean }
  /** one random element or nil (RANDOMKEY, HRANDFIELD key) */
  | { readonly kind: 'randomOne' }
  /** HRANDFIELD/ZRANDMEMBER with a count: sizes are exact, contents only when the whole collection is returned */
  | { readonly kind: 'randomCount'; readonly count: bigint; readonly unit: 1 | 2 }
  /** clock-dependent integers (TTL, PEXPIRETIME after a relative expire): positive values may differ by tolerance */
  | { readonly kind: 'near'; readonly tolerance: bigint };

export interface Step {
  readonly argv: Buffer[];
  readonly compare: Compare;
}

export const EXACT: Compare = Object.freeze({ kind: 'exact' });

const arr = (v: Resp2[]): Resp2 => ({ t: '*', v });
const marker = (s: string): Resp2 => ({ t: '+', v: `<${s}>` });
const byEncoding = (a: Resp2, b: Resp2): number => {
  const x = encodeResp2(a);
  const y = encodeResp2(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

function pairsOf(items: readonly Resp2[]): Resp2[] {
  const out: Resp2[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push(arr([items[i]!, items[i + 1]!]));
  if (items.length % 2 === 1) out.push(arr([items[items.length - 1]!])); // odd: keep it visible
  return out;
}

function uniqueSorted(items: Resp2[]): Resp2[] {
  const seen = new Map<string, Resp2>();
  for (const it of items) seen.set(encodeResp2(it), it);
  return [...seen.values()].sort(byEncoding);
}

/** Runs a step on one target and returns its normalized reply. */
export async function runStep(target: Target, step: Step): Promise<Resp2> {
  const { compare } = step;
  if (compare.kind === 'scan') return runScan(target, step.argv, compare.cursorAt, compare.pairs);
  const r = await target(step.argv);
  if (r.t === '-') return r;
  switch (compare.kind) {
    case 'exact':
    case 'near':
      return r;
    case 'sorted':
      return r.t === '*' ? arr([...r.v].sort(byEncoding)) : r;
    case 'sortedPairs':
      return r.t === '*' ? arr(pairsOf(r.v).sort(byEncoding)) : r;
    case 'randomOne':
      return r.t === '$' ? marker('one element') : r;
    case 'randomCount': {
      if (r.t === '$') return marker('one element');
      if (r.t !== '*') return r;
      const units = r.v.length / compare.unit;
      // a positive count below the collection size returns `count` distinct random elements; at or above it,
      // the whole collection (fewer than `count` means it was the whole collection)
      if (compare.count > 0n && BigInt(units) < compare.count) {
        return arr((compare.unit === 2 ? pairsOf(r.v) : [...r.v]).sort(byEncoding));
      }
      if (compare.count > 0n) {
        const distinct = uniqueSorted(compare.unit === 2 ? pairsOf(r.v) : [...r.v]).length;
        return marker(`${units} random elements, ${distinct} distinct`);
      }
      return marker(`${units} random elements`);
    }
  }
}

async function runScan(target: Target, argv: Buffer[], cursorAt: number, pairs: boolean): Promise<Resp2> {
  const items: Resp2[] = [];
  let args = argv;
  for (let calls = 0; calls < 10_000; calls++) {
    const r = await target(args);
    if (r.t !== '*' || r.v.length !== 2 || r.v[0]!.t !== '$' || r.v[1]!.t !== '*') return r;
    const elems = r.v[1]!.v;
    items.push(...(pairs ? pairsOf(elems) : elems));
    const cursor = r.v[0]!.v;
    if (cursor.toString('latin1') === '0') return arr(uniqueSorted(items));
    args = [...argv];
    args[cursorAt] = cursor;
  }
  return marker('scan did not terminate');
}

/** Whether two normalized replies agree under the step's comparison. */
export function sameReply(step: Step, a: Resp2, b: Resp2): boolean {
  if (step.compare.kind === 'near' && a.t === ':' && b.t === ':' && a.v > 0n && b.v > 0n) {
    const d = a.v - b.v;
    return (d < 0n ? -d : d) <= step.compare.tolerance;
  }
  return encodeResp2(a) === encodeResp2(b);
}
