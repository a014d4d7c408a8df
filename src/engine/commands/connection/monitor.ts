import { NO_KEYS } from '../../command';
import { connectionOnly } from './connection-only';

/**
 * MONITOR: the RESP connection streams every command that other clients run (src/server/monitor.ts); without a
 * connection there is nothing to stream.
 */
export const monitor = connectionOnly(
  'monitor',
  1,
  ['admin', 'noscript', 'loading', 'stale'],
  'Listens for all requests received by the server in real-time.',
  '1.0.0',
  'O(1)',
  NO_KEYS,
  'server',
);
