/**
 * Sharded pub/sub (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB) against redis-server, over
 * raw RESP2 and RESP3 connections: the same replies, pushes and counts, in the same order. Shard channels are a
 * namespace of their own: a PUBLISH does not reach them, an SPUBLISH does not reach SUBSCRIBE or PSUBSCRIBE.
 */
import { describeWithTool } from '../helpers/redis-server';
import { cmd, RawClient, useServerPair } from './harness';

const describeRedis = describeWithTool('redis-server');

describeRedis('sharded pub/sub, as redis-server', () => {
  const ports = useServerPair();

  /** The same script on both servers: each step's replies (`n` of them) from the subscriber or the publisher. */
  async function transcript(port: number, proto: 2 | 3): Promise<unknown[]> {
    const sub = await RawClient.connect(port);
    const pub = await RawClient.connect(port);
    try {
      const out: unknown[] = [];
      if (proto === 3) out.push((await sub.call(cmd('HELLO', '3')))[0] !== undefined);
      out.push(await sub.call(cmd('SSUBSCRIBE', 'orders', 'users', 'orders'), 3));
      out.push(await sub.call(cmd('SUBSCRIBE', 'orders'), 1));
      out.push(await sub.call(cmd('PSUBSCRIBE', 'ord*'), 1));
      // in dict order on redis-server: compared as a set
      out.push(((await pub.call(cmd('PUBSUB', 'SHARDCHANNELS')))[0] as string[]).sort());
      out.push(await pub.call(cmd('PUBSUB', 'SHARDCHANNELS', 'us*')));
      out.push(await pub.call(cmd('PUBSUB', 'SHARDNUMSUB', 'orders', 'none')));
      out.push(await pub.call(cmd('PUBSUB', 'CHANNELS')));
      // a shard message reaches the shard subscription only; a plain one the other two only
      out.push(await pub.call(cmd('SPUBLISH', 'orders', 'o-1')));
      out.push(await sub.read(1));
      out.push(await pub.call(cmd('PUBLISH', 'orders', 'o-2')));
      out.push(await sub.read(2));
      out.push(await pub.call(cmd('SPUBLISH', 'nobody', 'x')));
      out.push(await sub.call(cmd('SUNSUBSCRIBE', 'orders'), 1));
      out.push(await pub.call(cmd('SPUBLISH', 'orders', 'o-3')));
      out.push(await sub.call(cmd('SUNSUBSCRIBE'), 1));
      out.push(await sub.call(cmd('SUNSUBSCRIBE'), 1));
      out.push(await pub.call(cmd('PUBSUB', 'SHARDNUMSUB', 'users')));
      out.push(await pub.call(cmd('SSUBSCRIBE')));
      out.push(await pub.call(cmd('SPUBLISH', 'a')));
      return out;
    } finally {
      sub.close();
      pub.close();
    }
  }

  test.each([2, 3] as const)('RESP%i: the same replies and messages', async (proto) => {
    expect(await transcript(ports.oursPort, proto)).toEqual(await transcript(ports.redisPort, proto));
  });

  test('COMMAND INFO and GETKEYS agree (shard channels are keys to a cluster)', async () => {
    const ask = async (port: number) => {
      const c = await RawClient.connect(port);
      try {
        const info = await c.call(cmd('COMMAND', 'INFO', 'ssubscribe', 'sunsubscribe', 'spublish'));
        // the triplet routes by hash slot, but channels are not keys (NOT_KEY): GETKEYS names none
        const keys = [
          await c.call(cmd('COMMAND', 'GETKEYS', 'SPUBLISH', 'ch', 'msg')),
          await c.call(cmd('COMMAND', 'GETKEYS', 'SSUBSCRIBE', 'a', 'b')),
        ];
        // name, arity, flags, first, last, step, categories
        return [(info[0] as unknown[][]).map((e) => e.slice(0, 7)), keys];
      } finally {
        c.close();
      }
    };
    expect(await ask(ports.oursPort)).toEqual(await ask(ports.redisPort));
  });
});
