import type { CommandContext } from '../../command';
import { int, type Reply } from '../../reply';
import { isList, List, listAt, listWritten, type Side } from './access';

/** LPUSH/RPUSH (create the list) and LPUSHX/RPUSHX (only an existing list): the length after the pushes. */
export function pushCommand({ argv, db, now }: CommandContext, side: Side, create: boolean): Reply {
  const found = listAt(db, argv[1]!, now);
  if (found !== undefined && !isList(found)) return found;
  if (found === undefined && !create) return int(0);
  const list = found ?? new List();
  for (let i = 2; i < argv.length; i++) list.push(side, argv[i]!);
  listWritten(db, argv[1]!, list);
  return int(list.length);
}
