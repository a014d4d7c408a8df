import type { CommandContext, CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { keyOf } from '../../keyspace';
import { bulk, NULL, OK, type Reply } from '../../reply';
import { isReply } from '../arguments';
import { expireDeadline, parseStringOptions, type StringOptions } from './set-options';
import { newString } from './value';

/**
 * Redis's setGenericCommand, shared by SET, SETNX, SETEX and PSETEX: the expire argument is checked first, then
 * GET reads the old value (WRONGTYPE stops everything), then NX/XX decide. A new value clears the TTL unless
 * KEEPTTL. `cmd` names the command in errors; `ok`/`aborted` are the replies when the value was/was not set.
 */
export function setGeneric(
  ctx: CommandContext,
  keyArg: Buffer,
  value: Buffer,
  o: StringOptions,
  cmd: string,
  ok: Reply = OK,
  aborted: Reply = NULL,
): Reply {
  const { db, now } = ctx;
  let deadline: number | undefined;
  if (o.expireUnit !== undefined) {
    const d = expireDeadline(o.expireArg!, o.expireUnit, now, cmd);
    if (isReply(d)) return d;
    deadline = d;
  }
  const key = keyOf(keyArg);
  const old = db.lookup(key, now);
  let previous: Reply | undefined;
  if (o.get) {
    if (old !== undefined && old.type !== 'string') return WRONGTYPE;
    previous = old === undefined ? NULL : bulk(old.v);
  }
  if ((o.nx && old !== undefined) || (o.xx && old === undefined)) return previous ?? aborted;
  db.set(key, newString(value), o.keepTtl);
  // a deadline already past deletes the key at once
  if (deadline !== undefined) db.setExpire(key, deadline, now);
  return previous ?? ok;
}

export const set: CommandSpec = {
  name: 'set',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity: 'O(1)',
  summary: 'Set the string value of a key',
  since: '1.0.0',
  run(ctx) {
    const o = parseStringOptions(ctx.argv, 3, true);
    return isReply(o) ? o : setGeneric(ctx, ctx.argv[1]!, ctx.argv[2]!, o, 'set');
  },
};
