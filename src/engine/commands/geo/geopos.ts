import type { CommandSpec } from '../../command';
import { array, NULL_ARRAY, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from '../zset/access';
import { decodeScore } from './geometry';
import { GEO_GROUP } from './group';
import { coordinateReply } from './search';

export const geopos: CommandSpec = {
  name: 'geopos',
  arity: -2,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: 'O(N) where N is the number of members requested.',
  summary: 'Returns longitude and latitude of members of a geospatial index',
  since: '3.2.0',
  run({ argv, db, now, session }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs !== undefined && !isSortedSet(zs)) return zs;
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) {
      const score = zs?.score(argv[j]!);
      if (score === undefined) {
        out.push(NULL_ARRAY);
        continue;
      }
      const [x, y] = decodeScore(score);
      out.push(array([coordinateReply(x, session.resp), coordinateReply(y, session.resp)]));
    }
    return array(out);
  },
};
