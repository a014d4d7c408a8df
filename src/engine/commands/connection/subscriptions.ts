/**
 * SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE / SSUBSCRIBE / SUNSUBSCRIBE. Subscriptions belong to a connection, so the RESP
 * connection layer implements them (src/server/connection-commands.ts) on top of the engine's hub (src/engine/pubsub.ts).
 */
import { type CommandFlag, type CommandSpec, NO_KEYS } from '../../command';
import { connectionOnly } from './connection-only';

const subFlags: CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];
export const subscribe = connectionOnly(
  'subscribe',
  -2,
  subFlags,
  'Listens for messages published to channels.',
  '2.0.0',
  'O(N) where N is the number of channels to subscribe to.',
  NO_KEYS,
  'pubsub',
);
export const unsubscribe = connectionOnly(
  'unsubscribe',
  -1,
  subFlags,
  'Stops listening to messages posted to channels.',
  '2.0.0',
  'O(N) where N is the number of channels to unsubscribe.',
  NO_KEYS,
  'pubsub',
);
export const psubscribe = connectionOnly(
  'psubscribe',
  -2,
  subFlags,
  'Listens for messages published to channels that match one or more patterns.',
  '2.0.0',
  'O(N) where N is the number of patterns to subscribe to.',
  NO_KEYS,
  'pubsub',
);
export const punsubscribe = connectionOnly(
  'punsubscribe',
  -1,
  subFlags,
  'Stops listening to messages published to channels that match one or more patterns.',
  '2.0.0',
  'O(N) where N is the number of patterns to unsubscribe.',
  NO_KEYS,
  'pubsub',
);

/** shard channels are keys to a cluster (their hash slot): every argument is one */
const CHANNEL_KEYS = { first: 1, last: -1, step: 1 };
export const ssubscribe: CommandSpec = {
  ...connectionOnly(
    'ssubscribe',
    -2,
    subFlags,
    'Listens for messages published to shard channels.',
    '7.0.0',
    'O(N) where N is the number of shard channels to subscribe to.',
    CHANNEL_KEYS,
    'pubsub',
  ),
  channelsNotKeys: true,
};
export const sunsubscribe: CommandSpec = {
  ...connectionOnly(
    'sunsubscribe',
    -1,
    subFlags,
    'Stops listening to messages posted to shard channels.',
    '7.0.0',
    'O(N) where N is the number of shard channels to unsubscribe.',
    CHANNEL_KEYS,
    'pubsub',
  ),
  channelsNotKeys: true,
};
