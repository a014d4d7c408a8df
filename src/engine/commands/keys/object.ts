import type { CommandContext, CommandSpec } from '../../command';
import { NO_LFU_POLICY, unknownSubcommand, wrongArity } from '../../errors';
import { parseInt64 } from '../../numbers';
import { array, bulkStr, int, NULL, type Reply, simple } from '../../reply';
import type { Value } from '../../values';
import { optName } from '../arguments';
import { isSmallHash } from '../hash/access';
import { setEncoding } from '../set/access';
import { stringEncoding } from '../string/value';
import { lookupRead } from './lookup';

/** Redis's OBJ_SHARED_REFCOUNT: the refcount reported for the shared integers 0..9999. */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000n;

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** The name Redis 7.0 gives the value's internal representation. */
export function objectEncoding(v: Value): string {
  switch (v.type) {
    case 'string':
      return stringEncoding(v);
    case 'hash':
      return isSmallHash(v.v) ? 'listpack' : 'hashtable';
    case 'zset':
      return v.v.encoding();
    case 'list':
      return 'quicklist';
    case 'set':
      return setEncoding(v.v);
  }
}

function refcount(v: Value): number {
  if (v.type !== 'string' || stringEncoding(v) !== 'int') return 1;
  const n = parseInt64(v.v)!;
  return n >= 0n && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

/** The subcommands taking a key: each answers nil for a missing key. */
const KEYED = new Map<string, (v: Value) => Reply>([
  ['ENCODING', (v) => bulkStr(objectEncoding(v))],
  ['REFCOUNT', (v) => int(refcount(v))],
  // no access clock is kept: every key reads as just used
  ['IDLETIME', () => int(0)],
  // the default maxmemory-policy (noeviction) keeps no LFU counter, and this engine has no other
  ['FREQ', () => NO_LFU_POLICY],
]);

function run(ctx: CommandContext): Reply {
  const sub = optName(ctx.argv[1]!);
  if (sub === 'HELP') {
    if (ctx.argv.length !== 2) return wrongArity('object|help');
    return array(HELP.map(simple));
  }
  const answer = KEYED.get(sub);
  if (answer === undefined) return unknownSubcommand(ctx.argv[1]!, 'object');
  if (ctx.argv.length !== 3) return wrongArity(`object|${sub.toLowerCase()}`);
  const v = lookupRead(ctx, ctx.argv[2]!);
  return v === undefined ? NULL : answer(v);
}

export const object: CommandSpec = {
  name: 'object',
  arity: -2,
  flags: ['readonly'],
  keys: { first: 2, last: 2, step: 1 },
  group: 'generic',
  complexity: 'Depends on subcommand.',
  summary: 'A container for object introspection commands',
  since: '2.2.3',
  subcommands: [
    { name: 'encoding', arity: 3, summary: 'Inspect the internal encoding of a Redis object' },
    { name: 'freq', arity: 3, summary: 'Get the logarithmic access frequency counter of a Redis object' },
    {
      name: 'help',
      flags: ['loading', 'stale'],
      arity: 2,
      summary: 'Show helpful text about the different subcommands',
    },
    { name: 'idletime', arity: 3, summary: 'Get the time since a Redis object was last accessed' },
    { name: 'refcount', arity: 3, summary: 'Get the number of references to the value of the key' },
  ],
  run,
};
