/** The geo commands (geospatial indexes kept in sorted sets), listed explicitly. */
import type { CommandSpec } from '../../command';
import { geoadd } from './geoadd';
import { geodist } from './geodist';
import { geohash } from './geohash-command';
import { geopos } from './geopos';
import { georadius, georadius_ro, georadiusbymember, georadiusbymember_ro } from './georadius';
import { geosearch, geosearchstore } from './geosearch';

export const GEO_COMMANDS: readonly CommandSpec[] = [
  geoadd,
  geopos,
  geodist,
  geohash,
  georadius,
  georadiusbymember,
  georadius_ro,
  georadiusbymember_ro,
  geosearch,
  geosearchstore,
];
