import type { CommandSpec } from '../../command';
import { SYNTAX } from '../../errors';
import { bulkStr, NULL } from '../../reply';
import { isSortedSet, oneKey, zsetForRead } from '../zset/access';
import { distanceText } from './format';
import { decodeScore, distance } from './geometry';
import { GEO_GROUP } from './group';
import { unitArg } from './search';

export const geodist: CommandSpec = {
  name: 'geodist',
  arity: -4,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: 'O(log(N))',
  summary: 'Returns the distance between two members of a geospatial index',
  since: '3.2.0',
  run({ argv, db, now }) {
    let toMeter = 1;
    if (argv.length === 5) {
      const u = unitArg(argv[4]!);
      if (typeof u !== 'number') return u;
      toMeter = u;
    } else if (argv.length > 5) {
      return SYNTAX;
    }
    const zs = zsetForRead(db, argv[1]!, now);
    if (zs === undefined) return NULL;
    if (!isSortedSet(zs)) return zs;
    const s1 = zs.score(argv[2]!);
    const s2 = s1 === undefined ? undefined : zs.score(argv[3]!);
    if (s1 === undefined || s2 === undefined) return NULL;
    const [x1, y1] = decodeScore(s1);
    const [x2, y2] = decodeScore(s2);
    return bulkStr(distanceText(distance(x1, y1, x2, y2) / toMeter));
  },
};
