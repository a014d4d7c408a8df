/**
 * Reply shapes shared by the sorted-set commands. Scores are `double` replies (RESP2 renders them as bulk strings
 * in %.17g, RESP3 as doubles). WITHSCORES results are flat [member, score, …] in RESP2 and, like Redis 7, an
 * array of [member, score] pairs in RESP3 (not a map: the order matters).
 */
import type { Session } from '../../command';
import { array, bulk, double, type Reply } from '../../reply';

export function membersReply(
  members: readonly Buffer[],
  scores: readonly number[],
  withScores: boolean,
  session: Session,
): Reply {
  if (!withScores) return array(members.map(bulk));
  const out: Reply[] = [];
  if (session.resp === 3) {
    for (let i = 0; i < members.length; i++) out.push(array([bulk(members[i]!), double(scores[i]!)]));
  } else {
    for (let i = 0; i < members.length; i++) out.push(bulk(members[i]!), double(scores[i]!));
  }
  return array(out);
}
