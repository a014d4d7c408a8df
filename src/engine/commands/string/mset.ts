import type { CommandContext, CommandSpec } from '../../command';
import { wrongArity } from '../../errors';
import { keyOf } from '../../keyspace';
import { int, OK, type Reply } from '../../reply';
import { newString } from './value';

/** MSET and MSETNX: key/value pairs, each set like SET (TTL cleared); with `nx`, nothing is set if any key exists. */
export function msetGeneric(ctx: CommandContext, nx: boolean): Reply {
  const { db, argv, now } = ctx;
  if (argv.length % 2 === 0) return wrongArity(nx ? 'msetnx' : 'mset');
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) if (db.has(keyOf(argv[i]!), now)) return int(0);
  }
  for (let i = 1; i < argv.length; i += 2) db.set(keyOf(argv[i]!), newString(argv[i + 1]!));
  return nx ? int(1) : OK;
}

export const mset: CommandSpec = {
  name: 'mset',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: -1, step: 2 },
  group: 'string',
  complexity: 'O(N) where N is the number of keys to set.',
  summary: 'Set multiple keys to multiple values',
  since: '1.0.1',
  run: (ctx) => msetGeneric(ctx, false),
};
