import { type CommandSpec, NO_KEYS } from '../../command';
import { pubsubOf } from '../../pubsub';
import { int } from '../../reply';

export const publish: CommandSpec = {
  name: 'publish',
  arity: 3,
  flags: ['pubsub', 'loading', 'stale', 'fast'],
  keys: NO_KEYS,
  group: 'pubsub',
  complexity:
    'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
  summary: 'Posts a message to a channel.',
  since: '2.0.0',
  run: ({ engine, argv }) => int(pubsubOf(engine).publish(argv[1]!, argv[2]!)),
};

export const spublish: CommandSpec = {
  name: 'spublish',
  arity: 3,
  flags: ['pubsub', 'loading', 'stale', 'fast'],
  // the shard channel is a key to a cluster (its hash slot)
  keys: { first: 1, last: 1, step: 1 },
  channelsNotKeys: true,
  group: 'pubsub',
  complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
  summary: 'Post a message to a shard channel',
  since: '7.0.0',
  run: ({ engine, argv }) => int(pubsubOf(engine).spublish(argv[1]!, argv[2]!)),
};
