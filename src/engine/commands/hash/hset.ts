import type { CommandContext, CommandSpec } from '../../command';
import { wrongArity } from '../../errors';
import { int, type Reply } from '../../reply';
import { fieldKey, hashForWrite, hashWritten, oneKey } from './access';

/** Sets field/value pairs; returns how many fields were new. Shared by HSET and HMSET, which differ in the reply. */
export function setFields(ctx: CommandContext, name: string): number | Reply {
  const { argv, db, now } = ctx;
  if (argv.length % 2 === 1) return wrongArity(name);
  const fields = hashForWrite(db, argv[1]!, now);
  if (!(fields instanceof Map)) return fields;
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const f = fieldKey(argv[i]!);
    if (!fields.has(f)) created++;
    fields.set(f, argv[i + 1]!);
  }
  hashWritten(db, argv[1]!, fields);
  return created;
}

export const hset: CommandSpec = {
  name: 'hset',
  arity: -4,
  flags: ['write', 'denyoom', 'fast'],
  keys: oneKey,
  group: 'hash',
  complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs',
  summary: 'Creates or modifies the value of a field in a hash.',
  since: '2.0.0',
  run(ctx) {
    const n = setFields(ctx, 'hset');
    return typeof n === 'number' ? int(n) : n;
  },
};
