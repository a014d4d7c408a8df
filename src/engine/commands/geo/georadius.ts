/** GEORADIUS, GEORADIUSBYMEMBER and their read-only forms (deprecated since 6.2 in favour of GEOSEARCH). */
import type { CommandSpec } from '../../command';
import { oneKey } from '../zset/access';
import { GEO_GROUP, radiusKeys, radiusStoreKeys } from './group';
import { georadiusGeneric } from './search';

const RADIUS_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';

export const georadius: CommandSpec = {
  name: 'georadius',
  arity: -6,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  keysOf: radiusKeys(6),
  writesOf: radiusStoreKeys(6),
  group: GEO_GROUP,
  complexity: RADIUS_COMPLEXITY,
  summary:
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point',
  since: '3.2.0',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 1, coords: true }),
};

export const georadiusbymember: CommandSpec = {
  name: 'georadiusbymember',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: oneKey,
  keysOf: radiusKeys(5),
  writesOf: radiusStoreKeys(5),
  group: GEO_GROUP,
  complexity: RADIUS_COMPLEXITY,
  summary:
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member',
  since: '3.2.0',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 1, member: true }),
};

export const georadius_ro: CommandSpec = {
  name: 'georadius_ro',
  arity: -6,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: RADIUS_COMPLEXITY,
  summary: 'A read-only variant for GEORADIUS',
  since: '3.2.10',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 1, coords: true, noStore: true }),
};

export const georadiusbymember_ro: CommandSpec = {
  name: 'georadiusbymember_ro',
  arity: -5,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: RADIUS_COMPLEXITY,
  summary: 'A read-only variant for GEORADIUSBYMEMBER',
  since: '3.2.10',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 1, member: true, noStore: true }),
};
