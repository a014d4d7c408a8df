import type { CommandContext, CommandSpec } from '../../command';
import { WRONGTYPE } from '../../errors';
import { bulk, type Reply } from '../../reply';
import { intArg, isReply } from '../arguments';
import { lookupRead } from '../keys/lookup';

const EMPTY = Buffer.alloc(0);

/**
 * GETRANGE and SUBSTR (Redis's getrangeCommand): inclusive byte offsets, negative ones counting from the end,
 * clamped to the string; a range with both ends negative and start > end is empty before any clamping.
 */
export function getrangeGeneric(ctx: CommandContext): Reply {
  const startArg = intArg(ctx.argv[2]!);
  if (isReply(startArg)) return startArg;
  const endArg = intArg(ctx.argv[3]!);
  if (isReply(endArg)) return endArg;
  const v = lookupRead(ctx, ctx.argv[1]!);
  if (v === undefined) return bulk(EMPTY);
  if (v.type !== 'string') return WRONGTYPE;
  const len = v.v.length;
  let start = startArg;
  let end = endArg;
  if (start < 0 && end < 0 && start > end) return bulk(EMPTY);
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return bulk(EMPTY);
  return bulk(v.v.subarray(start, end + 1));
}

export const getrange: CommandSpec = {
  name: 'getrange',
  arity: 4,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  group: 'string',
  complexity:
    'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
  summary: 'Get a substring of the string stored at a key',
  since: '2.4.0',
  run: getrangeGeneric,
};
