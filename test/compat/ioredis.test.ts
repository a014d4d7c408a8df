/** ioredis 6 (RESP3 by default) against our server and against redis-server. */
import Redis, { type RedisOptions } from 'ioredis';
import { type Target, targets } from './targets';

describe.each(targets().map((t) => [t.name, t] as [string, Target]))('ioredis against %s', (_name, target) => {
  let server: { port: number; stop(): Promise<void> };
  const clients: Redis[] = [];
  const client = (opts: RedisOptions = {}) => {
    const c = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await target.start();
  });
  afterEach(async () => {
    // quit() closes without leaving ioredis's disconnect timer behind
    await Promise.all(
      clients.splice(0).map((c) =>
        c.status === 'ready'
          ? c.quit().then(
              () => undefined,
              () => c.disconnect(),
            )
          : c.disconnect(),
      ),
    );
  });
  afterAll(() => server.stop());

  it('connects with HELLO 3 and runs string, hash and sorted-set commands', async () => {
    const r = client();
    expect(await r.ping()).toBe('PONG');
    expect(await r.set('io:k', 'v')).toBe('OK');
    expect(await r.get('io:k')).toBe('v');
    expect(await r.incr('io:n')).toBe(1);
    expect(await r.hset('io:h', 'f', '1', 'g', '2')).toBe(2);
    expect(await r.hgetall('io:h')).toEqual({ f: '1', g: '2' });
    expect(await r.zadd('io:z', 0, 'b', 0, 'a', 0, 'c')).toBe(3);
    expect(await r.zrangebylex('io:z', '-', '+', 'LIMIT', 0, 2)).toEqual(['a', 'b']);
    expect(await r.zscore('io:z', 'a')).toBe('0');
    const hello = (await r.call('HELLO', '3')) as unknown[];
    expect(hello.slice(0, 6)).toEqual(['server', 'redis', 'version', '7.0.15', 'proto', 3]);
  });

  it('pipelines', async () => {
    const r = client();
    const p = r.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`io:p:${i}`, String(i));
    for (let i = 0; i < 1000; i++) p.get(`io:p:${i}`);
    const res = (await p.exec())!;
    expect(res.slice(0, 1000).every(([e, v]) => e === null && v === 'OK')).toBe(true);
    expect(res.slice(1000).map(([, v]) => v)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it('runs transactions, including a runtime error inside EXEC', async () => {
    const r = client();
    await r.set('io:str', 'x');
    const res = await r.multi().incr('io:tx').hset('io:str', 'f', 'v').incr('io:tx').exec();
    expect(res![0]).toEqual([null, 1]);
    expect((res![1]![0] as Error).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(res![2]).toEqual([null, 2]);
  });

  it('aborts a WATCHed transaction when another client writes the key', async () => {
    const a = client();
    const b = client();
    await a.set('io:w', '1');
    await a.watch('io:w');
    await b.set('io:w', '2');
    expect(await a.multi().set('io:w', '3').exec()).toBeNull();
    expect(await a.get('io:w')).toBe('2');
  });

  it('subscribes, receives messages and pattern messages', async () => {
    const sub = client();
    const pub = client();
    const got: string[] = [];
    sub.on('message', (ch: string, msg: string) => got.push(`${ch}:${msg}`));
    sub.on('pmessage', (p: string, ch: string, msg: string) => got.push(`${p}|${ch}:${msg}`));
    await sub.subscribe('io:ch');
    await sub.psubscribe('io:c*');
    expect(await pub.publish('io:ch', 'hi')).toBe(2);
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got.sort()).toEqual(['io:c*|io:ch:hi', 'io:ch:hi']);
  });

  it('authenticates with a password', async () => {
    const locked = await target.start({ requirepass: 'pw' });
    try {
      // (a client without the password is covered at the protocol level: ioredis would retry forever)
      const good = new Redis({ port: locked.port, password: 'pw', maxRetriesPerRequest: 1 });
      expect(await good.ping()).toBe('PONG');
      await good.quit();
    } finally {
      await locked.stop();
    }
  });
});
