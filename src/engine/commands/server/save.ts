/**
 * SAVE, BGSAVE, LASTSAVE: snapshots of the dataset, through the persistence layer the server runs with
 * (ServerState.persistence). SAVE waits for the snapshot to be committed, so the RESP connection layer implements it
 * (it holds that client's later commands meanwhile, never the other clients); BGSAVE answers at once.
 */
import { type CommandSpec, NO_KEYS } from '../../command';
import { error, int, simple } from '../../reply';
import { connectionOnly } from '../connection/connection-only';
import { serverStateOf } from './server-state';

export const NO_PERSISTENCE = 'ERR this server keeps its data in memory only (start it with --data-dir)';

export const save = connectionOnly(
  'save',
  1,
  ['admin', 'noscript', 'no_multi'],
  'Synchronously saves the database(s) to disk.',
  '1.0.0',
  'O(N) where N is the total number of keys in all databases',
  NO_KEYS,
  'server',
);

export const bgsave: CommandSpec = {
  name: 'bgsave',
  arity: -1,
  flags: ['admin', 'noscript'],
  keys: NO_KEYS,
  group: 'server',
  complexity: 'O(1)',
  summary: 'Asynchronously saves the database(s) to disk.',
  since: '1.0.0',
  run({ engine }) {
    const p = serverStateOf(engine).persistence;
    if (p === undefined) return error(NO_PERSISTENCE);
    if (p.saveInProgress) return error('ERR Background save already in progress');
    // failures are reported by INFO persistence (rdb_last_bgsave_status) and the server's log
    p.bgsave().catch(() => undefined);
    return simple('Background saving started');
  },
};

export const lastsave: CommandSpec = {
  name: 'lastsave',
  arity: 1,
  flags: ['loading', 'stale', 'fast'],
  acl: ['admin', 'dangerous'],
  keys: NO_KEYS,
  group: 'server',
  complexity: 'O(1)',
  summary: 'Returns the Unix timestamp of the last successful save to disk.',
  since: '1.0.0',
  run({ engine }) {
    const p = serverStateOf(engine).persistence;
    return int(Math.floor((p?.lastSave ?? engine.startedAt) / 1000));
  },
};
