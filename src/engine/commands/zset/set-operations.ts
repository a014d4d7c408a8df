/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD: Redis's zunionInterDiffGenericCommand, with its parse
 * order (numkeys, then the key types, then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT) and its arithmetic
 * (weight × score with NaN read as 0; SUM of +inf and -inf is 0).
 *
 * Inputs may be sorted sets or plain sets (every member scoring 1); a missing key is an empty input.
 * Cost: union O(N) + O(M log M) to order the M results; inter O(N·K) over the smallest input; diff O(N·K).
 */
import type { CommandContext } from '../../command';
import { LIMIT_NEGATIVE, NOT_INTEGER, NUMKEYS_ZERO, SYNTAX, WEIGHT_NOT_FLOAT, WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { int, type Reply } from '../../reply';
import { SortedSet } from '../../structures/sortedset';
import { keyBytes } from '../../values';
import { storeZset } from './access';
import { longArg, parseScore } from './range-parsing';
import { membersReply } from './reply-shapes';

export type SetOperation = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

interface Input {
  readonly size: number;
  weight: number;
  entries(): Iterable<[Buffer, number]>;
  find(member: Buffer): number | undefined;
}

const EMPTY_INPUT = (): Input => ({ size: 0, weight: 1, entries: () => [], find: () => undefined });

function zsetInput(zs: SortedSet): Input {
  return { size: zs.size, weight: 1, entries: () => zs, find: (m) => zs.score(m) };
}

function setInput(members: Set<string>): Input {
  return {
    size: members.size,
    weight: 1,
    *entries() {
      for (const m of members) yield [keyBytes(m), 1];
    },
    find: (m) => (members.has(keyOf(m)) ? 1 : undefined),
  };
}

export interface SetOperationShape {
  readonly name: string;
  readonly op: SetOperation;
  /** argv index of numkeys: 1, or 2 for the STORE forms (whose argv[1] is the destination) */
  readonly numkeysIndex: number;
  readonly store: boolean;
  /** ZINTERCARD: only count, optionally stopping at LIMIT */
  readonly cardinalityOnly?: boolean;
}

export function setOperationCommand(ctx: CommandContext, shape: SetOperationShape): Reply {
  const { argv, db, now } = ctx;
  const cardinalityOnly = shape.cardinalityOnly === true;
  const numkeys = longArg(argv[shape.numkeysIndex]!);
  if (numkeys === undefined) return NOT_INTEGER;
  if (numkeys < 1) return NUMKEYS_ZERO(shape.name);
  if (numkeys > argv.length - (shape.numkeysIndex + 1)) return SYNTAX;

  const inputs: Input[] = [];
  let j = shape.numkeysIndex + 1;
  for (let i = 0; i < numkeys; i++, j++) {
    const v = db.lookup(keyOf(argv[j]!), now);
    if (v === undefined) inputs.push(EMPTY_INPUT());
    else if (v.type === 'zset') inputs.push(zsetInput(v.v));
    else if (v.type === 'set') inputs.push(setInput(v.v));
    else return WRONGTYPE;
  }

  let aggregate: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  const weighted = shape.op !== 'diff' && !cardinalityOnly;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j]!.toString('latin1').toUpperCase();
    if (weighted && remaining >= numkeys + 1 && opt === 'WEIGHTS') {
      j++;
      for (const input of inputs) {
        const w = parseScore(argv[j++]!);
        if (w === undefined) return WEIGHT_NOT_FLOAT;
        input.weight = w;
      }
    } else if (weighted && remaining >= 2 && opt === 'AGGREGATE') {
      const a = argv[j + 1]!.toString('latin1').toUpperCase();
      if (a !== 'SUM' && a !== 'MIN' && a !== 'MAX') return SYNTAX;
      aggregate = a === 'SUM' ? 'sum' : a === 'MIN' ? 'min' : 'max';
      j += 2;
    } else if (!shape.store && !cardinalityOnly && opt === 'WITHSCORES') {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && opt === 'LIMIT') {
      const l = longArg(argv[j + 1]!);
      if (l === undefined || l < 0) return LIMIT_NEGATIVE;
      limit = l;
      j += 2;
    } else {
      return SYNTAX;
    }
  }

  // smallest inputs first (the intersection walks the smallest); the difference keeps its first input first
  if (shape.op !== 'diff') inputs.sort((a, b) => a.size - b.size);

  if (cardinalityOnly) return int(intersect(inputs, aggregate, limit, undefined));

  const result = new Map<string, [Buffer, number]>();
  if (shape.op === 'union') unite(inputs, aggregate, result);
  else if (shape.op === 'inter') intersect(inputs, aggregate, 0, result);
  else subtract(inputs, result);

  // Ordered like a sorted set; a -0 score keeps its sign in the reply as in Redis (the stored set holds 0).
  const ordered = [...result.values()].sort((a, b) => a[1] - b[1] || Buffer.compare(a[0], b[0]));
  if (shape.store) {
    const out = SortedSet.fromSorted(ordered.map(([member, score]) => ({ member, score })));
    storeZset(db, argv[1]!, out, now);
    return int(out.size);
  }
  return membersReply(
    ordered.map((e) => e[0]),
    ordered.map((e) => e[1]),
    withScores,
    ctx.session,
  );
}

function combine(target: number, value: number, aggregate: Aggregate): number {
  switch (aggregate) {
    case 'sum': {
      const sum = target + value;
      return Number.isNaN(sum) ? 0 : sum; // +inf + -inf
    }
    // not Math.min/max: a NaN value must leave the target alone, as Redis's comparisons do
    case 'min':
      // biome-ignore lint/complexity/useMathMinMax: NaN must not propagate
      return value < target ? value : target;
    case 'max':
      // biome-ignore lint/complexity/useMathMinMax: NaN must not propagate
      return value > target ? value : target;
  }
}

function weighted(weight: number, score: number): number {
  const v = weight * score;
  return Number.isNaN(v) ? 0 : v; // 0 × inf
}

function unite(inputs: Input[], aggregate: Aggregate, out: Map<string, [Buffer, number]>): void {
  for (const input of inputs) {
    for (const [member, score] of input.entries()) {
      const value = weighted(input.weight, score);
      const k = keyOf(member);
      const prev = out.get(k);
      if (prev === undefined) out.set(k, [member, value]);
      else prev[1] = combine(prev[1], value, aggregate);
    }
  }
}

/** Fills `out` (or only counts, stopping at `limit` when non-zero) with the members present in every input. */
function intersect(
  inputs: Input[],
  aggregate: Aggregate,
  limit: number,
  out: Map<string, [Buffer, number]> | undefined,
): number {
  const [first, ...rest] = inputs;
  if (first === undefined || first.size === 0) return 0;
  let count = 0;
  outer: for (const [member, score] of first.entries()) {
    let acc = weighted(first.weight, score);
    for (const input of rest) {
      const s = input.find(member);
      if (s === undefined) continue outer;
      // Redis does not clear a NaN product here: SUM turns it into 0, MIN and MAX ignore it
      acc = combine(acc, s * input.weight, aggregate);
    }
    count++;
    if (out !== undefined) out.set(keyOf(member), [member, acc]);
    else if (limit > 0 && count >= limit) break;
  }
  return count;
}

function subtract(inputs: Input[], out: Map<string, [Buffer, number]>): void {
  const [first, ...rest] = inputs;
  if (first === undefined || first.size === 0) return;
  for (const [member, score] of first.entries()) {
    if (rest.some((input) => input.find(member) !== undefined)) continue;
    out.set(keyOf(member), [member, score]);
  }
}
