import type { CommandSpec } from '../../command';
import { SYNTAX } from '../../errors';
import { oneKey } from '../zset/access';
import { zaddGeneric } from '../zset/zadd';
import { scoreOf } from './geometry';
import { GEO_GROUP } from './group';
import { longLatArg } from './search';

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member [...]: Redis turns it into ZADD key [options] score member …,
 * the score being the point's 52-bit geohash (printed as an integer and parsed back, so rounded like Redis's).
 */
export const geoadd: CommandSpec = {
  name: 'geoadd',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set',
  since: '3.2.0',
  run(ctx) {
    const { argv } = ctx;
    let nx = false;
    let xx = false;
    let ch = false;
    let longIdx = 2;
    for (; longIdx < argv.length; longIdx++) {
      const opt = argv[longIdx]!.toString('latin1').toLowerCase();
      if (opt === 'nx') nx = true;
      else if (opt === 'xx') xx = true;
      else if (opt === 'ch') ch = true;
      else break;
    }
    if ((argv.length - longIdx) % 3 !== 0 || (xx && nx)) return SYNTAX;
    const zargv: Buffer[] = argv.slice(0, longIdx);
    zargv[0] = Buffer.from('zadd');
    for (let i = longIdx; i < argv.length; i += 3) {
      const xy = longLatArg(argv[i]!, argv[i + 1]!);
      if (!Array.isArray(xy)) return xy;
      zargv.push(Buffer.from(String(scoreOf(xy[0], xy[1]))), argv[i + 2]!);
    }
    return zaddGeneric({ ...ctx, argv: zargv }, { nx, xx, ch, gt: false, lt: false, incr: false }, longIdx);
  },
};
