import type { CommandContext, CommandSpec } from '../../command';
import { NO_SUCH_KEY } from '../../errors';
import { keyOf } from '../../keyspace';
import { int, OK, type Reply } from '../../reply';

/**
 * RENAME and RENAMENX (Redis's renameGenericCommand): the value object moves with its TTL; an existing destination
 * is replaced (RENAME) or left alone (RENAMENX answers 0). Renaming a key to itself only checks that it exists.
 */
export function renameGeneric({ db, argv, now }: CommandContext, nx: boolean): Reply {
  const src = keyOf(argv[1]!);
  const dst = keyOf(argv[2]!);
  const value = db.lookup(src, now);
  if (value === undefined) return NO_SUCH_KEY;
  if (src === dst) return nx ? int(0) : OK;
  const at = db.getExpire(src);
  if (nx && db.has(dst, now)) return int(0);
  db.set(dst, value);
  if (at !== undefined) db.setExpire(dst, at, now);
  db.remove(src);
  return nx ? int(1) : OK;
}

export const rename: CommandSpec = {
  name: 'rename',
  arity: 3,
  flags: ['write'],
  keys: { first: 1, last: 2, step: 1 },
  group: 'generic',
  complexity: 'O(1)',
  summary: 'Rename a key',
  since: '1.0.0',
  run: (ctx) => renameGeneric(ctx, false),
};
