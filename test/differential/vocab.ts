/**
 * The small vocabulary the generators draw from: few keys and members so that commands collide, hit
 * WRONGTYPE and empty/missing keys often; numbers at the edges of their ranges; binary bytes.
 */
import type { Rng } from './random';
import { type Compare, EXACT, type Step } from './step';

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

export function step(args: readonly string[], compare: Compare = EXACT): Step {
  return { argv: args.map(b), compare };
}

/** Keys any command may use. */
export const KEYS = ['a', 'b', 'key:1', 'key:2', '\x00\xff', 'k'] as const;
/**
 * Keys reserved for zsets whose members all have score 0: lex-range commands are only defined (and only
 * generated) on those. Nothing that can create a non-zero score ever writes to them.
 */
export const LEX_KEYS = ['lex:1', 'lex:2', 'lex:3'] as const;

export const MEMBERS = ['a', 'b', 'c', 'aa', 'ab', 'a\x00', '\xff\xfe', ''] as const;

export const VALUES = [
  '',
  'v',
  'hello',
  '1',
  '-5',
  '10',
  '3.5',
  '0.1',
  '9223372036854775807',
  '-9223372036854775808',
  'abc',
  '\x00\xff\r\n',
  'x'.repeat(65),
  '1e400',
  ' 1',
  '0x10',
  'inf',
  '007',
] as const;

export const INTS = ['0', '1', '-1', '5', '-7', '100', '9223372036854775807', '-9223372036854775808'] as const;
export const BAD_INTS = ['9223372036854775808', 'abc', '1.5', '', ' 1', '+1'] as const;

export const FLOATS = [
  '0',
  '0.1',
  '0.2',
  '-0.3',
  '1.5',
  '3',
  '-1',
  '1e10',
  '-1e-5',
  '5e-324',
  '1e308',
  '1e400',
  '0x1p3',
  '.5',
  '1.',
] as const;
export const BAD_FLOATS = ['inf', '-inf', 'nan', 'abc', ''] as const;

export const INDEXES = ['0', '1', '2', '3', '-1', '-2', '-3', '0', '1', '-1', '5', '10', '-10', '100', '-100'] as const;
export const EXTREME_INDEXES = ['9223372036854775807', '-9223372036854775808'] as const;
export const BAD_INDEXES = ['abc', '1.5', '9223372036854775808'] as const;

export const PATTERNS = ['*', 'a*', '?', '[ab]*', '*b', 'key:?', '\\*', '[^a]*', '*\x00*', 'a[', '', '**'] as const;

/** Absolute expiry times: far future and past, in ms and in s. */
export const FUTURE_MS = ['4102444800000', '4102444800123', '2000000000000', '9999999999999'] as const;
export const PAST_MS = ['1', '1000', '0', '-1'] as const;
export const FUTURE_S = ['4102444800', '2000000000', '9999999999'] as const;
export const PAST_S = ['1', '0', '-5'] as const;
/** Relative expiry amounts long enough never to elapse during a run, plus invalid ones. */
export const REL_S = ['100000', '200000', '300000'] as const;
export const REL_MS = ['100000000', '200000000', '300000000'] as const;
export const BAD_REL = ['-1', '0', '9223372036854775807', '9223372036854775806', 'abc'] as const;

/** Mostly a valid pick, sometimes (p) an invalid one. */
export const validOr = (rng: Rng, valid: readonly string[], invalid: readonly string[], p = 0.12): string =>
  rng.chance(p) ? rng.pick(invalid) : rng.pick(valid);
export const int = (rng: Rng): string => validOr(rng, INTS, BAD_INTS);
export const float = (rng: Rng): string => validOr(rng, FLOATS, BAD_FLOATS);
export const index = (rng: Rng): string =>
  rng.chance(0.05) ? rng.pick(EXTREME_INDEXES) : validOr(rng, INDEXES, BAD_INDEXES, 0.05);
export const relS = (rng: Rng): string => validOr(rng, REL_S, BAD_REL, 0.2);
export const relMs = (rng: Rng): string => validOr(rng, REL_MS, BAD_REL, 0.2);

export const key = (rng: Rng): string => rng.pick(KEYS);
export const member = (rng: Rng): string => rng.pick(MEMBERS);
export const value = (rng: Rng): string => rng.pick(VALUES);

/** Commands whose replies are random in some form (never mangled into another form). */
const RANDOM_REPLIES = new Set(['hrandfield', 'zrandmember', 'randomkey', 'scan', 'hscan', 'zscan', 'keys']);

/** A generator for one command: returns the argv (as strings) and how to compare. */
export type CommandGen = (rng: Rng) => Step;

export interface GenEntry {
  readonly gen: CommandGen;
  /** relative frequency, default 1 */
  readonly weight?: number;
  /** why the mangler must not append an argument (the longer form is a deliberate extension over Redis 7.0) */
  readonly noExtraArg?: string;
}

export interface GroupGenerator {
  readonly name: string;
  /** command name (lower case) → generator and relative weight */
  readonly commands: Readonly<Record<string, GenEntry>>;
}

/**
 * One step of a group: a command picked by weight, occasionally mangled into a wrong-arity call (truncated or
 * with an extra argument) to compare arity and syntax errors.
 */
export function nextStep(group: GroupGenerator, rng: Rng): Step {
  const entries = Object.values(group.commands);
  let total = 0;
  for (const e of entries) total += e.weight ?? 1;
  let x = rng.next() * total;
  let chosen = entries[0]!;
  for (const e of entries) {
    x -= e.weight ?? 1;
    if (x < 0) {
      chosen = e;
      break;
    }
  }
  const s = chosen.gen(rng);
  // only exactly-compared, deterministic commands are mangled: a shorter HRANDFIELD is a different random command
  if (s.compare.kind !== 'exact' || RANDOM_REPLIES.has(s.argv[0]!.toString('latin1').toLowerCase())) return s;
  if (rng.chance(0.03) && s.argv.length > 1) return { ...s, argv: s.argv.slice(0, rng.int(1, s.argv.length - 1)) };
  if (rng.chance(0.02) && !chosen.noExtraArg)
    return { ...s, argv: [...s.argv, b(rng.pick(['x', '1', 'WITHSCORES', 'NX']))] };
  return s;
}
