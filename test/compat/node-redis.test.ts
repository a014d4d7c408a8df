/** node-redis v5 with RESP3 against our server and against redis-server. */
import { createClient } from 'redis';

const make = (port: number, password?: string) =>
  createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3, password });

import { type Target, targets } from './targets';

type Client = ReturnType<typeof make>;

describe.each(targets().map((t) => [t.name, t] as [string, Target]))(
  'node-redis (RESP3) against %s',
  (_name, target) => {
    let server: { port: number; stop(): Promise<void> };
    const clients: Client[] = [];
    const connect = async (password?: string): Promise<Client> => {
      const c = createClient({
        socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false },
        RESP: 3,
        password,
      });
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
      return c;
    };

    beforeAll(async () => {
      server = await target.start();
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) if (c.isOpen) await c.close();
    });
    afterAll(() => server.stop());

    it('runs commands over RESP3 (maps, doubles, nulls)', async () => {
      const r = await connect();
      expect(await r.ping()).toBe('PONG');
      expect(await r.set('nr:k', 'v')).toBe('OK');
      expect(await r.get('nr:k')).toBe('v');
      expect(await r.get('nr:missing')).toBeNull();
      await r.hSet('nr:h', { a: '1', b: '2' });
      expect(await r.hGetAll('nr:h')).toEqual({ a: '1', b: '2' });
      await r.zAdd('nr:z', [{ score: 1.5, value: 'x' }]);
      expect(await r.zScore('nr:z', 'x')).toBe(1.5);
      expect(await r.incr('nr:n')).toBe(1);
      const info = await r.info('keyspace');
      expect(info).toMatch(/^# Keyspace\r\ndb0:keys=\d+,expires=0,avg_ttl=0/);
    });

    it('pipelines and runs MULTI/EXEC', async () => {
      const r = await connect();
      const many = await Promise.all(Array.from({ length: 500 }, (_, i) => r.echo(String(i))));
      expect(many).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
      const res = await r.multi().set('nr:t', '1').incr('nr:t').get('nr:t').exec();
      expect(res).toEqual(['OK', 2, '2']);
    });

    it('delivers pub/sub messages as RESP3 pushes on the same connection', async () => {
      const sub = await connect();
      const pub = await connect();
      const got: string[] = [];
      await sub.subscribe('nr:ch', (msg: string, ch: string) => got.push(`${ch}:${msg}`));
      await sub.pSubscribe('nr:*', (msg: string, ch: string) => got.push(`p ${ch}:${msg}`));
      expect(await pub.publish('nr:ch', 'hello')).toBe(2);
      for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got.sort()).toEqual(['nr:ch:hello', 'p nr:ch:hello']);
      expect(await pub.pubSubNumSub('nr:ch')).toEqual({ 'nr:ch': 1 });
      await sub.unsubscribe('nr:ch');
      await sub.pUnsubscribe('nr:*');
    });

    it('authenticates with HELLO 3 AUTH and rejects a wrong password', async () => {
      const locked = await target.start({ requirepass: 'pw' });
      const port = server.port;
      try {
        server = { ...server, port: locked.port };
        await expect(connect('wrong')).rejects.toThrow(/WRONGPASS/);
        const ok = await connect('pw');
        expect(await ok.ping()).toBe('PONG');
        await ok.close();
      } finally {
        server = { ...server, port };
        await locked.stop();
      }
    });
  },
);
