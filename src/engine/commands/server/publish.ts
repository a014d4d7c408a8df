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
