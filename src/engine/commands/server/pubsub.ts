import { type CommandSpec, NO_KEYS } from '../../command';
import { pubsubOf } from '../../pubsub';
import { array, bulk, bulkArray, int, type Reply, simple } from '../../reply';
import { helpLines, subcommandOf } from './subcommands';

export const pubsub: CommandSpec = {
  name: 'pubsub',
  arity: -2,
  flags: [],
  keys: NO_KEYS,
  group: 'pubsub',
  complexity: 'Depends on subcommand.',
  summary: 'A container for Pub/Sub commands.',
  since: '2.8.0',
  subcommands: [
    { name: 'channels', flags: ['pubsub', 'loading', 'stale'], arity: -2, summary: 'Returns the active channels.' },
    {
      name: 'numsub',
      flags: ['pubsub', 'loading', 'stale'],
      arity: -2,
      summary: 'Returns a count of subscribers to channels.',
    },
    {
      name: 'numpat',
      flags: ['pubsub', 'loading', 'stale'],
      arity: 2,
      summary: 'Returns a count of unique pattern subscriptions.',
    },
    {
      name: 'shardchannels',
      flags: ['pubsub', 'loading', 'stale'],
      arity: -2,
      summary: 'Returns the active shard channels.',
    },
    {
      name: 'shardnumsub',
      flags: ['pubsub', 'loading', 'stale'],
      arity: -2,
      summary: 'Returns the count of subscribers of shard channels.',
    },
    {
      name: 'help',
      flags: ['loading', 'stale'],
      arity: 2,
      summary: 'Returns helpful text about the different subcommands.',
    },
  ],
  run({ engine, argv }) {
    const sub = subcommandOf(pubsub, argv);
    if (typeof sub !== 'string') return sub;
    const hub = pubsubOf(engine);
    switch (sub) {
      case 'channels':
        if (argv.length > 3) return { t: 'error', v: "ERR wrong number of arguments for 'pubsub|channels' command" };
        return bulkArray(hub.activeChannels(argv[2]));
      case 'numsub': {
        const out: Reply[] = [];
        for (const ch of argv.slice(2)) out.push(bulk(ch), int(hub.numSub(ch)));
        return array(out);
      }
      case 'numpat':
        return int(hub.numPat);
      case 'shardchannels':
        if (argv.length > 3)
          return { t: 'error', v: "ERR wrong number of arguments for 'pubsub|shardchannels' command" };
        return bulkArray(hub.activeShardChannels(argv[2]));
      case 'shardnumsub': {
        const out: Reply[] = [];
        for (const ch of argv.slice(2)) out.push(bulk(ch), int(hub.shardNumSub(ch)));
        return array(out);
      }
      default:
        return array(helpLines(pubsub).map((l) => simple(l)));
    }
  },
};
