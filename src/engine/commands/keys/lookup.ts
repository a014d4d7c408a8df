/**
 * Key lookups for read-only commands. Like Redis's lookupKeyRead they count keyspace hits and misses (INFO
 * stats); writes use `ctx.db.lookup` directly, which Redis does not count either.
 */
import type { CommandContext } from '../../command';
import { keyOf } from '../../keyspace';
import type { Value } from '../../values';

export function lookupRead(ctx: CommandContext, key: Buffer): Value | undefined {
  const v = ctx.db.lookup(keyOf(key), ctx.now);
  if (v === undefined) ctx.engine.stats.keyspaceMisses++;
  else ctx.engine.stats.keyspaceHits++;
  return v;
}
