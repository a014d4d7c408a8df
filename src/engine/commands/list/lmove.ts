import type { CommandContext, CommandSpec } from '../../command';
import { SYNTAX } from '../../errors';
import { bulk, NULL, type Reply } from '../../reply';
import { isReply } from '../arguments';
import { moveBetween, type Side, sideArg, twoKeys } from './access';

/** LMOVE / RPOPLPUSH: the entry moved, or nil when the source is missing. */
export function moveCommand({ argv, db, now }: CommandContext, from: Side, to: Side): Reply {
  const v = moveBetween(db, argv[1]!, argv[2]!, from, to, now);
  if (v === undefined) return NULL;
  return isReply(v) ? v : bulk(v);
}

export const lmove: CommandSpec = {
  name: 'lmove',
  arity: 5,
  flags: ['write', 'denyoom'],
  keys: twoKeys,
  group: 'list',
  complexity: 'O(1)',
  summary:
    'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
  since: '6.2.0',
  run(ctx) {
    const from = sideArg(ctx.argv[3]!);
    if (from === undefined) return SYNTAX;
    const to = sideArg(ctx.argv[4]!);
    if (to === undefined) return SYNTAX;
    return moveCommand(ctx, from, to);
  },
};
