/**
 * While the server restores its dataset (ServerState.loading), RESP answers every command Redis answers LOADING to
 * with Redis's error, and runs the ones Redis flags `loading` (INFO, AUTH, HELLO, CLIENT, CONFIG, SUBSCRIBE, …). The
 * flags come from the command table; the table's `loading` flags are checked against redis-server's COMMAND INFO.
 */
import Redis from 'ioredis';
import type { CommandSpec } from '../../src/engine/command';
import { serverStateOf } from '../../src/engine/commands/server/server-state';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { cmd, RawClient, startTestServer, type TestServer } from './harness';

const LOADING = { error: 'LOADING Redis is loading the dataset in memory' };

let srv: TestServer;
const clients: RawClient[] = [];
async function connect(): Promise<RawClient> {
  const c = await RawClient.connect(srv.port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  srv = await startTestServer();
  serverStateOf(srv.engine).loading = true;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv.stop();
});

describe('RESP while loading', () => {
  it('answers LOADING to data commands, PING and DBSIZE, as Redis does, and runs them once loaded', async () => {
    const c = await connect();
    expect(await c.call(cmd('GET', 'k'))).toEqual([LOADING]);
    expect(await c.call(cmd('SET', 'k', 'v'))).toEqual([LOADING]);
    expect(await c.call(cmd('PING'))).toEqual([LOADING]);
    expect(await c.call(cmd('DBSIZE'))).toEqual([LOADING]);
    expect(await c.call(cmd('S3IDX.BUCKETS'))).toEqual([LOADING]);
    // nothing ran
    expect(srv.engine.dbs[0]!.size).toBe(0);
    serverStateOf(srv.engine).loading = false;
    expect(await c.call(cmd('SET', 'k', 'v'))).toEqual(['OK']);
    expect(await c.call(cmd('PING'))).toEqual(['PONG']);
  });

  it('lookup, arity and authentication come first, as in Redis', async () => {
    const c = await connect();
    expect(await c.call(cmd('NOSUCH'))).toEqual([
      { error: "ERR unknown command 'NOSUCH', with args beginning with: " },
    ]);
    expect(await c.call(cmd('GET'))).toEqual([{ error: "ERR wrong number of arguments for 'get' command" }]);
    await srv.stop();
    srv = await startTestServer({ requirepass: 'secret' });
    serverStateOf(srv.engine).loading = true;
    const d = await connect();
    expect(await d.call(cmd('GET', 'k'))).toEqual([{ error: 'NOAUTH Authentication required.' }]);
    expect(await d.call(cmd('AUTH', 'secret'))).toEqual(['OK']);
    expect(await d.call(cmd('GET', 'k'))).toEqual([LOADING]);
  });

  it('runs the commands flagged `loading`: INFO, HELLO, CLIENT, COMMAND, CONFIG, SELECT, pub/sub, MULTI', async () => {
    const c = await connect();
    const [info] = await c.call(cmd('INFO', 'persistence'));
    expect(info).toMatch(/^# Persistence\r\nloading:1\r\n/);
    const [hello] = await c.call(cmd('HELLO', '2'));
    expect(hello).toEqual(expect.arrayContaining(['server', 'redis']));
    expect(await c.call(cmd('CLIENT', 'SETNAME', 'waiting'))).toEqual(['OK']);
    expect(await c.call(cmd('CLIENT', 'GETNAME'))).toEqual(['waiting']);
    expect(await c.call(cmd('COMMAND', 'COUNT'))).toEqual([expect.any(Number)]);
    expect(await c.call(cmd('CONFIG', 'GET', 'maxclients'))).toEqual([['maxclients', '10000']]);
    expect(await c.call(cmd('SELECT', '1'))).toEqual(['OK']);
    expect(await c.call(cmd('PUBLISH', 'ch', 'm'))).toEqual([0]);
    expect(await c.call(cmd('TIME'))).toEqual([[expect.any(String), expect.any(String)]]);
    // a transaction: the refused command dooms it, as any command refused before queueing does
    expect(await c.call(cmd('MULTI'))).toEqual(['OK']);
    expect(await c.call(cmd('GET', 'k'))).toEqual([LOADING]);
    expect(await c.call(cmd('EXEC'))).toEqual([
      { error: 'EXECABORT Transaction discarded because of previous errors.' },
    ]);
    expect(await c.call(cmd('SUBSCRIBE', 'ch'))).toEqual([['subscribe', 'ch', 1]]);
    // refusals are counted like any rejected command
    const [stats] = await (await connect()).call(cmd('INFO', 'errorstats'));
    expect(stats).toMatch(/errorstat_LOADING:count=1/);
  });

  it('an ioredis client that connects while loading waits for the load, then runs its queued commands', async () => {
    const r = new Redis(srv.port, { lazyConnect: true });
    const ready = r.connect();
    const queued = r.set('k', 'v').then(() => r.get('k'));
    let settled = false;
    void ready.then(() => {
      settled = true;
    });
    // ioredis's ready check reads INFO: loading:1 and loading_eta_seconds (1 s when absent) before retrying
    await new Promise((res) => setTimeout(res, 300));
    expect(settled).toBe(false);
    serverStateOf(srv.engine).loading = false;
    await ready;
    expect(await queued).toBe('v');
    r.disconnect();
  }, 10_000);
});

/** Each command and subcommand of ours that redis-server also has: whether it is flagged `loading`. */
function loadingFlags(table: Iterable<CommandSpec>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const spec of table) {
    // a container's own flags are Redis's for no invocation: its subcommands' are compared instead
    if (spec.subcommands === undefined) out.set(spec.name, spec.flags.includes('loading'));
    for (const s of spec.subcommands ?? [])
      out.set(`${spec.name}|${s.name}`, (s.flags ?? spec.flags).includes('loading'));
  }
  return out;
}

describeWithTool('redis-server')('the `loading` flags match redis-server', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it("every command and subcommand of ours that Redis has carries Redis's `loading` flag", async () => {
    const r = new Redis(redis.port);
    const theirs = new Map<string, boolean>();
    const info = (await r.call('COMMAND')) as unknown[][];
    for (const c of info) {
      theirs.set(String(c[0]), (c[2] as string[]).includes('loading'));
      for (const s of (c[9] as unknown[][] | undefined) ?? [])
        theirs.set(String(s[0]), (s[2] as string[]).includes('loading'));
    }
    r.disconnect();
    const ours = loadingFlags(srv.engine.table.values());
    const differ: string[] = [];
    for (const [name, flagged] of ours) {
      const t = theirs.get(name);
      if (t !== undefined && t !== flagged) differ.push(`${name}: ours ${flagged}, redis ${t}`);
    }
    expect(differ).toEqual([]);
    // the check compared something
    expect([...ours.keys()].filter((n) => theirs.has(n)).length).toBeGreaterThan(100);
  });
});
