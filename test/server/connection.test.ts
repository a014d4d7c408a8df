/** Protocol-level behaviour of the TCP server, checked byte for byte with a raw socket client. */
import { cmd, RawClient, startTestServer, type TestServer } from './harness';

let srv: TestServer;
const clients: RawClient[] = [];
async function connect(port = srv.port): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  srv = await startTestServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => srv.stop());

describe('RESP server: requests and pipelining', () => {
  it('answers multibulk and inline commands', async () => {
    const c = await connect();
    expect(await c.call(cmd('PING'))).toEqual(['PONG']);
    expect(await c.call('echo "a b"\r\n')).toEqual(['a b']);
    expect(await c.call('nosuch x\r\n')).toEqual([
      { error: "ERR unknown command 'nosuch', with args beginning with: 'x' " },
    ]);
  });

  it('answers thousands of pipelined commands sent in one write, in order', async () => {
    const c = await connect();
    const n = 5000;
    const batch = Buffer.concat(Array.from({ length: n }, (_, i) => cmd('ECHO', String(i))));
    const replies = await c.call(batch, n);
    expect(replies).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });

  it('closes only the connection that sent a malformed request, after answering what preceded it', async () => {
    const bad = await connect();
    const good = await connect();
    bad.send('PING\r\n*1\r\n$x\r\nPING\r\n');
    expect(await bad.read(2)).toEqual(['PONG', { error: 'ERR Protocol error: invalid bulk length' }]);
    expect(await bad.waitClosed()).toBe(true);
    expect(await good.call(cmd('PING'))).toEqual(['PONG']);
  });

  it('counts a protocol error in INFO errorstats, as Redis does', async () => {
    const c = await connect();
    expect(await c.call(cmd('CONFIG', 'RESETSTAT'))).toEqual(['OK']);
    const bad = await connect();
    bad.send('*1\r\n$x\r\n');
    expect(await bad.read(1)).toEqual([{ error: 'ERR Protocol error: invalid bulk length' }]);
    const [info] = await c.call(cmd('INFO', 'errorstats'));
    expect(String(info)).toContain('errorstat_ERR:count=1\r\n');
    const [stats] = await c.call(cmd('INFO', 'stats'));
    expect(String(stats)).toContain('total_error_replies:1\r\n');
  });

  it('writes big replies with backpressure while the client is not reading', async () => {
    const c = await connect();
    const value = 'v'.repeat(1 << 20);
    const n = 40;
    c.socket.pause();
    c.send(Buffer.concat(Array.from({ length: n }, () => cmd('ECHO', value))));
    // The server stops executing once replies pile up: far less than the 40 MB of replies ever waits in its socket.
    // Polled (not one look after a fixed delay), so a loaded machine only makes the replies appear later.
    const observer = await connect();
    const seen: number[] = [];
    for (let polls = 0; polls < 200 && seen.filter((m) => m > 0).length < 5; polls++) {
      const [list] = await observer.call('CLIENT LIST\r\n');
      seen.push(Math.max(...[...String(list).matchAll(/ omem=(\d+) /g)].map((m) => Number(m[1]))));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(16 * 1024 * 1024);
    c.socket.resume();
    const replies = await c.read(n, 20_000);
    expect(replies).toHaveLength(n);
    expect(replies.every((r) => r === value)).toBe(true);
  });

  it('QUIT answers OK and closes', async () => {
    const c = await connect();
    expect(await c.call('QUIT\r\n')).toEqual(['OK']);
    expect(await c.waitClosed()).toBe(true);
  });

  it('SELECT switches the database of this connection only', async () => {
    const a = await connect();
    const b = await connect();
    expect(await a.call('select 3\r\n')).toEqual(['OK']);
    expect(await a.call('select 16\r\n')).toEqual([{ error: 'ERR DB index is out of range' }]);
    expect(await a.call('client info\r\n')).toEqual([expect.stringContaining(' db=3 ')]);
    expect(await b.call('client info\r\n')).toEqual([expect.stringContaining(' db=0 ')]);
  });
});

describe('RESP server: CLIENT and INFO over connections', () => {
  it('lists, names and kills clients', async () => {
    const a = await connect();
    const b = await connect();
    await a.call('CLIENT SETNAME alpha\r\nCLIENT SETINFO lib-name raw\r\n', 2);
    const [id] = await b.call('CLIENT ID\r\n');
    const [list] = await b.call('CLIENT LIST\r\n');
    expect(list).toMatch(/name=alpha .*lib-name=raw/);
    expect(list).toMatch(new RegExp(`id=${id} .* cmd=client\\|list `));
    const [info] = await b.call('INFO clients\r\n');
    expect(info).toMatch(/connected_clients:\d+/);
    const [aid] = await a.call('CLIENT ID\r\n');
    expect(await b.call(`CLIENT KILL ID ${aid}\r\n`)).toEqual([1]);
    expect(await a.waitClosed()).toBe(true);
    expect(await b.call('CLIENT KILL 1.2.3.4:5\r\n')).toEqual([{ error: 'ERR No such client' }]);
  });

  it('CLIENT REPLY OFF / SKIP / ON', async () => {
    const c = await connect();
    c.send('CLIENT REPLY SKIP\r\nECHO 1\r\nECHO 2\r\nCLIENT REPLY OFF\r\nECHO 3\r\nCLIENT REPLY ON\r\nECHO 4\r\n');
    expect(await c.read(3)).toEqual(['2', 'OK', '4']);
  });
});

describe('RESP server: HELLO and RESP3', () => {
  it('HELLO 3 answers a map and switches to RESP3 replies', async () => {
    const c = await connect();
    const [hello] = await c.call('HELLO 3\r\n');
    expect(hello).toEqual([
      ['server', 'redis'],
      ['version', '7.0.15'],
      ['proto', 3],
      ['id', expect.any(Number)],
      ['mode', 'standalone'],
      ['role', 'master'],
      ['modules', []],
    ]);
    c.send('HELLO 3\r\n');
    const raw = await new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    expect(raw.toString('latin1').startsWith('%7\r\n')).toBe(true);
    await c.read(1);
    expect(await c.call('HELLO 4\r\n')).toEqual([{ error: 'NOPROTO unsupported protocol version' }]);
    expect(await c.call('HELLO x\r\n')).toEqual([{ error: 'ERR Protocol version is not an integer or out of range' }]);
    expect(await c.call('HELLO 3 foo\r\n')).toEqual([{ error: "ERR Syntax error in HELLO option 'foo'" }]);
    expect(await c.call('HELLO 2 SETNAME myname\r\n')).toEqual([expect.arrayContaining(['proto', 2])]);
    expect(await c.call('CLIENT GETNAME\r\n')).toEqual(['myname']);
  });
});

describe('RESP server: transactions', () => {
  it('queues, executes and reports runtime errors inside EXEC', async () => {
    const c = await connect();
    expect(await c.call('MULTI\r\nECHO a\r\nCLIENT NOSUCH\r\nPING\r\nEXEC\r\n', 5)).toEqual([
      'OK',
      'QUEUED',
      'QUEUED',
      'QUEUED',
      ['a', { error: "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP." }, 'PONG'],
    ]);
  });

  it('aborts with EXECABORT after a queueing error, and reports misuse with Redis wording', async () => {
    const c = await connect();
    expect(await c.call('MULTI\r\nMULTI\r\nWATCH k\r\nECHO\r\nEXEC\r\nEXEC\r\nDISCARD\r\n', 7)).toEqual([
      'OK',
      { error: 'ERR MULTI calls can not be nested' },
      { error: 'ERR WATCH inside MULTI is not allowed' },
      { error: "ERR wrong number of arguments for 'echo' command" },
      { error: 'EXECABORT Transaction discarded because of previous errors.' },
      { error: 'ERR EXEC without MULTI' },
      { error: 'ERR DISCARD without MULTI' },
    ]);
  });

  it('WATCH fails EXEC when another client modifies or flushes the key', async () => {
    const a = await connect();
    const b = await connect();
    const key = 'watched';
    const db = srv.engine.dbs[0]!;
    expect(await a.call(`WATCH ${key}\r\n`)).toEqual(['OK']);
    db.modified(key); // what any write command does
    expect(await b.call('PING\r\n')).toEqual(['PONG']);
    expect(await a.call('MULTI\r\nPING\r\nEXEC\r\n', 3)).toEqual(['OK', 'QUEUED', null]);
    // after EXEC the key is no longer watched
    expect(await a.call('MULTI\r\nPING\r\nEXEC\r\n', 3)).toEqual(['OK', 'QUEUED', ['PONG']]);
    // a flush invalidates a watched key that existed (watch-flush.test.ts compares the cases with redis-server)
    expect(await a.call(`SET ${key} v\r\nWATCH ${key}\r\n`, 2)).toEqual(['OK', 'OK']);
    db.clear();
    expect(await a.call('MULTI\r\nPING\r\nEXEC\r\n', 3)).toEqual(['OK', 'QUEUED', null]);
    expect(await a.call(`WATCH ${key}\r\nUNWATCH\r\n`, 2)).toEqual(['OK', 'OK']);
    db.modified(key);
    expect(await a.call('MULTI\r\nPING\r\nEXEC\r\n', 3)).toEqual(['OK', 'QUEUED', ['PONG']]);
  });
});

describe('RESP server: pub/sub', () => {
  it('delivers messages in RESP2 and restricts commands in subscribe mode', async () => {
    const sub = await connect();
    const pub = await connect();
    expect(await sub.call('SUBSCRIBE news\r\nPSUBSCRIBE n*\r\n', 2)).toEqual([
      ['subscribe', 'news', 1],
      ['psubscribe', 'n*', 2],
    ]);
    expect(await pub.call('PUBLISH news hello\r\n')).toEqual([2]);
    expect(await sub.read(2)).toEqual([
      ['message', 'news', 'hello'],
      ['pmessage', 'n*', 'news', 'hello'],
    ]);
    expect(await sub.call('GET x\r\nPING\r\nPING m\r\n', 3)).toEqual([
      {
        error:
          "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
      },
      ['pong', ''],
      ['pong', 'm'],
    ]);
    expect(await pub.call('PUBSUB NUMSUB news other\r\nPUBSUB NUMPAT\r\nPUBSUB CHANNELS\r\n', 3)).toEqual([
      ['news', 1, 'other', 0],
      1,
      ['news'],
    ]);
    expect(await sub.call('UNSUBSCRIBE\r\nPUNSUBSCRIBE\r\nUNSUBSCRIBE\r\n', 3)).toEqual([
      ['unsubscribe', 'news', 1],
      ['punsubscribe', 'n*', 0],
      ['unsubscribe', null, 0],
    ]);
    expect(await sub.call('PING\r\n')).toEqual(['PONG']);
  });

  it('uses push messages in RESP3 and allows every command while subscribed', async () => {
    const sub = await connect();
    const pub = await connect();
    await sub.call('HELLO 3\r\n');
    expect(await sub.call('SUBSCRIBE ch\r\n')).toEqual([{ push: ['subscribe', 'ch', 1] }]);
    expect(await sub.call('ECHO still-works\r\n')).toEqual(['still-works']);
    await pub.call('PUBLISH ch m1\r\n');
    expect(await sub.read(1)).toEqual([{ push: ['message', 'ch', 'm1'] }]);
    expect(await sub.call('RESET\r\n')).toEqual(['RESET']);
    expect(await pub.call('PUBLISH ch m2\r\n')).toEqual([0]);
  });

  it('disconnects a subscriber that does not read past the pubsub output limit', async () => {
    const sub = await connect();
    const pub = await connect();
    await pub.call('CONFIG SET client-output-buffer-limit "pubsub 1mb 512kb 60"\r\n');
    await sub.call('SUBSCRIBE flood\r\n');
    sub.socket.pause();
    const payload = 'p'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) {
      const [receivers] = await pub.call(cmd('PUBLISH', 'flood', payload));
      if (receivers === 0) break;
    }
    const [numsub] = await pub.call('PUBSUB NUMSUB flood\r\n');
    expect(numsub).toEqual(['flood', 0]);
    expect(srv.logs.some((l) => l.includes('client-output-buffer-limit pubsub'))).toBe(true);
    await pub.call('CONFIG SET client-output-buffer-limit "pubsub 32mb 8mb 60"\r\n');
  });
});

describe('RESP server: limits', () => {
  it('closes a client whose query buffer exceeds client-query-buffer-limit', async () => {
    const c = await connect();
    const other = await connect();
    await other.call('CONFIG SET client-query-buffer-limit 1mb\r\n');
    c.send('*2\r\n$4\r\nECHO\r\n$5000000\r\n');
    c.send(Buffer.alloc(2 * 1024 * 1024, 'a'));
    expect(await c.waitClosed()).toBe(true);
    expect(await other.call('CONFIG SET client-query-buffer-limit 1gb\r\nPING\r\n', 2)).toEqual(['OK', 'PONG']);
  });

  it('refuses connections past maxclients', async () => {
    const small = await startTestServer({ maxclients: 1 });
    try {
      const a = await connect(small.port);
      expect(await a.call('PING\r\n')).toEqual(['PONG']);
      const b = await connect(small.port);
      expect(await b.read(1)).toEqual([{ error: 'ERR max number of clients reached' }]);
      expect(await b.waitClosed()).toBe(true);
    } finally {
      await small.stop();
    }
  });
});

describe('RESP server: authentication', () => {
  it('requires AUTH when requirepass is set', async () => {
    const locked = await startTestServer({ requirepass: 's3cret' });
    try {
      const c = await connect(locked.port);
      expect(await c.call('PING\r\nAUTH nope\r\nAUTH default nope\r\nAUTH other s3cret\r\nHELLO 3\r\n', 5)).toEqual([
        { error: 'NOAUTH Authentication required.' },
        { error: 'WRONGPASS invalid username-password pair or user is disabled.' },
        { error: 'WRONGPASS invalid username-password pair or user is disabled.' },
        { error: 'WRONGPASS invalid username-password pair or user is disabled.' },
        {
          error:
            'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
        },
      ]);
      expect(await c.call('AUTH s3cret\r\nPING\r\n', 2)).toEqual(['OK', 'PONG']);
      expect(await c.call('RESET\r\nPING\r\n', 2)).toEqual(['RESET', { error: 'NOAUTH Authentication required.' }]);
      expect(await c.call('HELLO 3 AUTH default s3cret\r\n')).toEqual([expect.arrayContaining([['proto', 3]])]);
      // refusals count as rejected calls of the command (Redis's rejectCommand): PING ran once, was refused twice
      const [info] = await c.call('INFO commandstats\r\n');
      expect(JSON.stringify(info)).toMatch(
        /cmdstat_ping:calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=2,failed_calls=0/,
      );
      const d = await connect(locked.port);
      d.send('*11\r\n');
      expect(await d.read(1)).toEqual([{ error: 'ERR Protocol error: unauthenticated multibulk length' }]);
    } finally {
      await locked.stop();
    }
  });

  it('AUTH without a configured password answers like Redis', async () => {
    const c = await connect();
    expect(await c.call('AUTH x\r\nAUTH default anything\r\n', 2)).toEqual([
      {
        error:
          'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      },
      'OK',
    ]);
  });
});
