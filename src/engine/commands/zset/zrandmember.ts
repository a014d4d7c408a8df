import type { CommandSpec } from '../../command';
import { NOT_INTEGER, SYNTAX, VALUE_OUT_OF_RANGE, ZRANDMEMBER_COUNT_RANGE } from '../../errors';
import { parseInt64 } from '../../numbers';
import { bulk, EMPTY_ARRAY, NULL } from '../../reply';
import type { SortedSet } from '../../structures/sortedset';
import { isSortedSet, oneKey, zsetForRead } from './access';
import { membersReply } from './reply-shapes';

const LONG_MAX = 9223372036854775807n;
/**
 * Deliberate divergence: Redis streams any number of repeated samples (and a client asking for billions hangs or
 * exhausts the server's memory); we build replies in memory, so a repetition count beyond this is refused with
 * "value is out of range" instead of taking the process down.
 */
export const MAX_REPEATED_SAMPLES = 10_000_000n;

/**
 * ZRANDMEMBER key [count [WITHSCORES]]. A negative count samples with repetition (in random order); a positive
 * count returns distinct members: the whole set (highest first, as Redis walks it) when count >= size, else a
 * random subset in ascending order (Redis's listpack order).
 */
export const zrandmember: CommandSpec = {
  name: 'zrandmember',
  arity: -2,
  flags: ['readonly'],
  keys: oneKey,
  group: 'sorted-set',
  complexity: 'O(N) where N is the number of members returned',
  summary: 'Returns one or more random members from a sorted set.',
  since: '6.2.0',
  run({ argv, db, now, session }) {
    if (argv.length === 2) {
      const zs = zsetForRead(db, argv[1]!, now);
      if (zs === undefined) return NULL;
      if (!isSortedSet(zs)) return zs;
      return bulk(zs.at(randomRank(zs.size))![0]);
    }
    const l = parseInt64(argv[2]!);
    if (l === undefined) return NOT_INTEGER;
    if (l < -LONG_MAX) return ZRANDMEMBER_COUNT_RANGE;
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toString('latin1').toUpperCase() !== 'WITHSCORES')) {
      return SYNTAX;
    }
    if (argv.length === 4) {
      withScores = true;
      // Redis refuses counts whose doubled reply length would overflow
      if (l < -LONG_MAX / 2n || l > LONG_MAX / 2n) return VALUE_OUT_OF_RANGE;
    }
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return EMPTY_ARRAY;
    if (!isSortedSet(zs)) return zs;
    if (l === 0n) return EMPTY_ARRAY;
    if (-l > MAX_REPEATED_SAMPLES) return VALUE_OUT_OF_RANGE;
    const { members, scores } = l < 0n ? sampleWithRepetition(zs, Number(-l)) : sampleDistinct(zs, Number(l));
    return membersReply(members, scores, withScores, session);
  },
};

const randomRank = (size: number): number => Math.floor(Math.random() * size);

function sampleWithRepetition(zs: SortedSet, count: number): { members: Buffer[]; scores: number[] } {
  const members: Buffer[] = [];
  const scores: number[] = [];
  for (let i = 0; i < count; i++) {
    const [m, s] = zs.at(randomRank(zs.size))!;
    members.push(m);
    scores.push(s);
  }
  return { members, scores };
}

function sampleDistinct(zs: SortedSet, count: number): { members: Buffer[]; scores: number[] } {
  if (count >= zs.size) return zs.slice(0, zs.size - 1, true, true);
  // Floyd's algorithm: `count` distinct ranks in O(count) draws
  const chosen = new Set<number>();
  for (let j = zs.size - count; j < zs.size; j++) {
    const r = Math.floor(Math.random() * (j + 1));
    chosen.add(chosen.has(r) ? j : r);
  }
  const ranks = [...chosen].sort((a, b) => a - b);
  const members: Buffer[] = [];
  const scores: number[] = [];
  for (const r of ranks) {
    const [m, s] = zs.at(r)!;
    members.push(m);
    scores.push(s);
  }
  return { members, scores };
}
