/**
 * Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP) against redis-server, with several
 * real client connections: each scenario runs on both servers and every reply is compared, in RESP2 and RESP3 —
 * immediate answers, waking on a push from another client or from MULTI/EXEC, first blocked first served, pipelined
 * commands after a push, timeouts, no blocking inside MULTI, disconnects, CLIENT UNBLOCK, wrong types, errors.
 */
import { describeWithTool } from '../helpers/redis-server';
import { cmd, RawClient, useServerPair } from './harness';

const describeRedis = describeWithTool('redis-server');

type Decoded = Awaited<ReturnType<RawClient['read']>>[number];

describeRedis('blocking commands, as redis-server', () => {
  const ports = useServerPair();

  /** The clients of one scenario, plus a control connection that waits until `n` clients are blocked. */
  async function session(port: number, proto: 2 | 3, n: number) {
    const control = await RawClient.connect(port);
    await control.call(cmd('FLUSHALL'));
    await control.call(cmd('CONFIG', 'RESETSTAT'));
    const clients: RawClient[] = [];
    for (let i = 0; i < n; i++) {
      const c = await RawClient.connect(port);
      if (proto === 3) await c.call(cmd('HELLO', '3'));
      clients.push(c);
    }
    const blocked = async (count: number): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const [info] = await control.call(cmd('INFO', 'clients'));
        const m = /blocked_clients:(\d+)/.exec(String(info));
        if (m && Number(m[1]) === count) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`never saw ${count} blocked clients`);
    };
    const close = () => {
      control.close();
      for (const c of clients) c.close();
    };
    return { control, clients, blocked, close };
  }

  /** A scenario: its transcript on one server. */
  type Scenario = (s: Awaited<ReturnType<typeof session>>) => Promise<Decoded[]>;

  async function both(proto: 2 | 3, n: number, run: Scenario): Promise<void> {
    const transcript = async (port: number) => {
      const s = await session(port, proto, n);
      try {
        return await run(s);
      } finally {
        s.close();
      }
    };
    const redis = await transcript(ports.redisPort);
    const ours = await transcript(ports.oursPort);
    expect(ours).toEqual(redis);
  }

  const protos = [2, 3] as const;

  test.each(protos)('RESP%i: answers at once when a key has something; errors in Redis order', async (proto) => {
    await both(proto, 1, async ({ clients: [c] }) => {
      const out: Decoded[] = [];
      const call = async (...args: string[]) => out.push(...(await c!.call(cmd(...args))));
      await call('RPUSH', 'b', 'x', 'y');
      await call('ZADD', 'z', '1', 'one', '2', 'two', '3', 'three');
      await call('SET', 's', 'str');
      await call('BLPOP', 'a', 'b', '0');
      await call('BRPOP', 'a', 'b', '1.5');
      await call('BLPOP', 's', 'b', '0');
      await call('BLPOP', 'a', 's', '0');
      await call('RPUSH', 'b', 'x', 'y', 'z');
      await call('BLMOVE', 'b', 'c', 'LEFT', 'RIGHT', '0');
      await call('BRPOPLPUSH', 'b', 'c', '0');
      await call('LRANGE', 'c', '0', '-1');
      await call('BLMPOP', '0', '2', 'a', 'c', 'RIGHT', 'COUNT', '5');
      await call('BZPOPMIN', 'none', 'z', '0');
      await call('BZPOPMAX', 'z', '0');
      await call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '3');
      await call('EXISTS', 'z', 'c');
      for (const bad of [
        ['BLPOP', 'a', '-1'],
        ['BLPOP', 'a', 'abc'],
        ['BLPOP', 'a', 'inf'],
        ['BLPOP', 'a', '1e30'],
        ['BLPOP', 'a', '9.3e15'],
        ['BLPOP', 'a', ''],
        ['BRPOP', 'a'],
        ['BLMOVE', 'a', 'b', 'UP', 'LEFT', '0'],
        ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '-2'],
        ['BRPOPLPUSH', 's', 'b', '0'],
        ['BLMPOP', '0', '0', 'a', 'LEFT'],
        ['BLMPOP', '0', '2', 'a', 'LEFT'],
        ['BLMPOP', 'x', '1', 'a', 'LEFT'],
        ['BLMPOP', '0', '1', 'a', 'MIDDLE'],
        ['BLMPOP', '0', '1', 'a', 'LEFT', 'COUNT', '0'],
        ['BLMPOP', '-1', '1', 'a', 'LEFT', 'COUNT', '2'],
        ['BZMPOP', '0', '1', 'z', 'MID'],
        ['BZMPOP', 'bad', '1', 'z', 'MIN'],
        ['BZPOPMIN', 's', '0'],
        ['BZPOPMIN', 'z', 'nan'],
      ]) {
        await call(...bad);
      }
      // inside MULTI nothing blocks: the "nothing" replies, at once
      await call('MULTI');
      await call('BLPOP', 'none', '0');
      await call('BLMOVE', 'none', 'd', 'LEFT', 'LEFT', '0');
      await call('BRPOPLPUSH', 'none', 'd', '0');
      await call('BLMPOP', '0', '1', 'none', 'LEFT');
      await call('BZPOPMIN', 'none', '0');
      await call('BZMPOP', '0', '1', 'none', 'MAX');
      await call('EXEC');
      // every call counted once; refused ones (arity) apart; failed ones counted as failed
      const [stats] = await c!.call(cmd('INFO', 'commandstats'));
      out.push(
        String(stats)
          .match(/cmdstat_b\w+:calls=\d+,usec=\d+,usec_per_call=[\d.]+,rejected_calls=\d+,failed_calls=\d+/g)
          ?.map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
          .sort() ?? [],
      );
      return out;
    });
  });

  test.each(protos)('RESP%i: a push from another client wakes the first blocked client first', async (proto) => {
    await both(proto, 4, async ({ clients: [a, b, c, pusher], blocked }) => {
      const out: Decoded[] = [];
      a!.send(cmd('BLPOP', 'q', 'other', '0'));
      await blocked(1);
      b!.send(cmd('BRPOP', 'other', 'q', '0'));
      await blocked(2);
      c!.send(cmd('BLPOP', 'q', '0'));
      await blocked(3);
      // two entries serve two clients, in the order they blocked; the third keeps waiting
      out.push(...(await pusher!.call(cmd('RPUSH', 'q', 'x', 'y'))));
      out.push(...(await a!.read(1)), ...(await b!.read(1)));
      out.push(...(await pusher!.call(cmd('LLEN', 'q'))));
      await blocked(1);
      out.push(c!.pending);
      // pipelined: the blocked client is served before the pusher's next command runs
      pusher!.send(Buffer.concat([cmd('LPUSH', 'q', 'z', 'w'), cmd('LRANGE', 'q', '0', '-1')]));
      out.push(...(await pusher!.read(2)), ...(await c!.read(1)));
      // a blocked command is counted once, served or not
      const [stats] = await pusher!.call(cmd('INFO', 'commandstats'));
      out.push(
        String(stats)
          .match(/cmdstat_b[lr]pop:calls=\d+/g)
          ?.sort() ?? [],
      );
      return out;
    });
  });

  test.each(protos)(
    'RESP%i: MULTI/EXEC wakes after the whole transaction, from the key written first',
    async (proto) => {
      await both(proto, 2, async ({ clients: [a, w], blocked }) => {
        const out: Decoded[] = [];
        a!.send(cmd('BLPOP', 'k1', 'k2', '0'));
        await blocked(1);
        out.push(...(await w!.call(cmd('MULTI'))));
        out.push(...(await w!.call(cmd('RPUSH', 'k2', 'from-k2'))));
        out.push(...(await w!.call(cmd('RPUSH', 'k1', 'from-k1'))));
        out.push(...(await w!.call(cmd('LPOP', 'k2'))));
        out.push(...(await w!.call(cmd('RPUSH', 'k2', 'again'))));
        out.push(...(await w!.call(cmd('EXEC'))));
        out.push(...(await a!.read(1)));
        out.push(
          ...(await w!.call(cmd('LRANGE', 'k1', '0', '-1'))),
          ...(await w!.call(cmd('LRANGE', 'k2', '0', '-1'))),
        );
        // SWAPDB brings a list into the blocked client's database: it is served
        a!.send(cmd('BLPOP', 'sw', '0'));
        await blocked(1);
        out.push(...(await w!.call(cmd('SELECT', '1'))), ...(await w!.call(cmd('RPUSH', 'sw', 'swapped'))));
        out.push(...(await w!.call(cmd('SWAPDB', '0', '1'))), ...(await a!.read(1)));
        out.push(...(await w!.call(cmd('FLUSHALL'))));
        return out;
      });
    },
  );

  test.each(protos)('RESP%i: BLMOVE chains to a client blocked on its destination', async (proto) => {
    await both(proto, 3, async ({ clients: [mover, popper, w], blocked }) => {
      const out: Decoded[] = [];
      popper!.send(cmd('BLPOP', 'dst', '0'));
      await blocked(1);
      mover!.send(cmd('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0'));
      await blocked(2);
      out.push(...(await w!.call(cmd('RPUSH', 'src', 'v1', 'v2'))));
      out.push(...(await mover!.read(1)), ...(await popper!.read(1)));
      out.push(...(await w!.call(cmd('LRANGE', 'src', '0', '-1'))), ...(await w!.call(cmd('EXISTS', 'dst'))));
      // BRPOPLPUSH waiting, then the destination turns into a string: the mover gets WRONGTYPE, the source is kept
      mover!.send(cmd('BRPOPLPUSH', 'src2', 'dst2', '0'));
      await blocked(1);
      out.push(...(await w!.call(cmd('SET', 'dst2', 'string'))));
      out.push(...(await w!.call(cmd('RPUSH', 'src2', 'kept'))));
      out.push(...(await mover!.read(1)));
      out.push(...(await w!.call(cmd('LRANGE', 'src2', '0', '-1'))));
      return out;
    });
  });

  test.each(protos)('RESP%i: sorted sets and BLMPOP/BZMPOP with COUNT wake on writes', async (proto) => {
    await both(proto, 3, async ({ clients: [a, b, w], blocked }) => {
      const out: Decoded[] = [];
      a!.send(cmd('BZPOPMAX', 'z1', 'z2', '0'));
      await blocked(1);
      b!.send(cmd('BZMPOP', '0', '2', 'z2', 'z1', 'MIN', 'COUNT', '2'));
      await blocked(2);
      out.push(...(await w!.call(cmd('ZADD', 'z2', '1.5', 'm1', '2.5', 'm2', '-3', 'm3', '4', 'm4'))));
      out.push(...(await a!.read(1)), ...(await b!.read(1)));
      out.push(...(await w!.call(cmd('ZRANGE', 'z2', '0', '-1', 'WITHSCORES'))));
      a!.send(cmd('BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '2'));
      await blocked(1);
      out.push(...(await w!.call(cmd('RPUSH', 'l', 'a', 'b', 'c'))));
      out.push(...(await a!.read(1)));
      // a key of another type does not wake a list waiter; it waits on
      b!.send(cmd('BLPOP', 't', '0'));
      await blocked(1);
      out.push(...(await w!.call(cmd('SET', 't', 'x'))), ...(await w!.call(cmd('DEL', 't'))));
      out.push(...(await w!.call(cmd('ZADD', 't', '1', 'm'))), ...(await w!.call(cmd('DEL', 't'))));
      out.push(b!.pending);
      out.push(...(await w!.call(cmd('RPUSH', 't', 'finally'))), ...(await b!.read(1)));
      return out;
    });
  });

  test.each(protos)('RESP%i: timeouts, CLIENT UNBLOCK and disconnects', async (proto) => {
    await both(proto, 3, async ({ clients: [a, b, w], blocked }) => {
      const out: Decoded[] = [];
      const t0 = Date.now();
      out.push(...(await a!.call(cmd('BLPOP', 'q', '0.1'))));
      out.push(...(await a!.call(cmd('BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.05'))));
      out.push(...(await a!.call(cmd('BZPOPMIN', 'z', '0.05'))));
      out.push(...(await a!.call(cmd('BLMPOP', '0.05', '1', 'q', 'LEFT'))));
      out.push(Date.now() - t0 >= 240);
      // CLIENT UNBLOCK: the timeout reply, or an error; 0 for a client that is not blocked
      const [idA] = await a!.call(cmd('CLIENT', 'ID'));
      a!.send(cmd('BRPOP', 'q', '0'));
      await blocked(1);
      out.push(...(await w!.call(cmd('CLIENT', 'UNBLOCK', String(idA), 'TIMEOUT'))));
      out.push(...(await a!.read(1)));
      a!.send(Buffer.concat([cmd('BRPOP', 'q', '0'), cmd('PING', 'after')]));
      await blocked(1);
      out.push(...(await w!.call(cmd('CLIENT', 'UNBLOCK', String(idA), 'ERROR'))));
      out.push(...(await a!.read(2)));
      out.push(...(await w!.call(cmd('CLIENT', 'UNBLOCK', String(idA)))));
      out.push(...(await w!.call(cmd('CLIENT', 'UNBLOCK', String(idA), 'LATER'))));
      out.push(...(await w!.call(cmd('CLIENT', 'UNBLOCK', 'abc'))));
      // a blocked client that disconnects takes nothing with it
      b!.send(cmd('BLPOP', 'q', '0'));
      await blocked(1);
      b!.close();
      await blocked(0);
      out.push(...(await w!.call(cmd('RPUSH', 'q', 'kept'))), ...(await w!.call(cmd('LRANGE', 'q', '0', '-1'))));
      return out;
    });
  });
});
