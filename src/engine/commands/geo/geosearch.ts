import type { CommandSpec } from '../../command';
import { oneKey } from '../zset/access';
import { GEO_GROUP } from './group';
import { georadiusGeneric } from './search';

const SEARCH_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';

export const geosearch: CommandSpec = {
  name: 'geosearch',
  arity: -7,
  flags: ['readonly'],
  keys: oneKey,
  group: GEO_GROUP,
  complexity: SEARCH_COMPLEXITY,
  summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.',
  since: '6.2.0',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 1, search: true }),
};

export const geosearchstore: CommandSpec = {
  name: 'geosearchstore',
  arity: -8,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 2, step: 1 },
  writes: { first: 1, last: 1, step: 1 },
  group: GEO_GROUP,
  complexity: SEARCH_COMPLEXITY,
  summary:
    'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.',
  since: '6.2.0',
  run: (ctx) => georadiusGeneric(ctx, { srcIndex: 2, search: true, searchStore: true }),
};
