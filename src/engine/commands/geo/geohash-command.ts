import type { CommandSpec } from '../../command';
import { array, bulkStr, NULL, type Reply } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from '../zset/access';
import { geohashString } from './geometry';
import { GEO_GROUP } from './group';

export const geohash: CommandSpec = {
  name: 'geohash',
  arity: -2,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
  summary: 'Returns members of a geospatial index as standard geohash strings',
  since: '3.2.0',
  run({ argv, db, now }) {
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs !== undefined && !isSortedSet(zs)) return zs;
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) {
      const score = zs?.score(argv[j]!);
      out.push(score === undefined ? NULL : bulkStr(geohashString(score)));
    }
    return array(out);
  },
};
