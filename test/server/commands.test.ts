/** Server and connection commands as the engine runs them without a connection (HTTP, Lambda). */
import { serverStateOf } from '../../src/engine/commands/server/server-state';
import { pubsubOf } from '../../src/engine/pubsub';
import { engineHarness } from '../helpers/engine';

describe('INFO', () => {
  it('renders the default sections, the keyspace and loading:0', () => {
    const { exec, engine } = engineHarness();
    engine.dbs[0]!.set('k', { type: 'string', v: Buffer.from('v') });
    const info = exec('info') as string;
    expect(info.split('\r\n').filter((l) => l.startsWith('#'))).toEqual([
      '# Server',
      '# Clients',
      '# Memory',
      '# Persistence',
      '# Stats',
      '# Replication',
      '# CPU',
      '# Modules',
      '# Errorstats',
      '# Cluster',
      '# Keyspace',
    ]);
    expect(info).toContain('redis_version:7.0.15\r\n');
    expect(info).toContain('loading:0\r\n');
    expect(info).toContain('role:master\r\n');
    expect(exec('info', 'keyspace')).toBe('# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n');
    expect(exec('info', 'nosuch')).toBe('');
    expect(exec('info', 'all')).toContain('# Commandstats\r\n');
    expect((exec('info', 'server', 'clients') as string).match(/^# /gm)).toHaveLength(2);
  });

  it('reports loading:1 while a snapshot restores', () => {
    const { exec, engine } = engineHarness();
    serverStateOf(engine).loading = true;
    expect(exec('info', 'persistence')).toContain('loading:1\r\n');
  });
});

describe('CONFIG', () => {
  it('GET matches glob patterns; SET validates like Redis', () => {
    const { exec } = engineHarness();
    expect(exec('config', 'get', 'maxclients')).toEqual([['maxclients', '10000']]);
    expect(exec('config', 'get', 'save')).toEqual([['save', '']]);
    expect(exec('config', 'get', 'appendonly')).toEqual([['appendonly', 'no']]);
    expect(exec('config', 'get', 'nosuch')).toEqual([]);
    expect((exec('config', 'get', 'max*') as string[][]).map(([k]) => k)).toEqual([
      'maxclients',
      'maxmemory',
      'maxmemory-policy',
    ]);
    expect(exec('config', 'set', 'maxclients', '5')).toBe('OK');
    expect(exec('config', 'get', 'maxclients')).toEqual([['maxclients', '5']]);
    expect(exec('config', 'set', 'proto-max-bulk-len', '2mb')).toBe('OK');
    expect(exec('config', 'get', 'proto-max-bulk-len')).toEqual([['proto-max-bulk-len', '2097152']]);
    expect(exec('config', 'set', 'foo', '1')).toEqual({
      error: "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
    });
    expect(exec('config', 'set', 'maxclients', 'abc')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
    });
    expect(exec('config', 'set', 'proto-max-bulk-len', '10')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive",
    });
    expect(exec('config', 'set', 'databases', '3')).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    });
    expect(exec('config', 'set', 'appendonly', 'maybe')).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
    });
    // a failing pair leaves the earlier ones unapplied
    expect(exec('config', 'set', 'timeout', '7', 'maxclients', '0')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
    });
    expect(exec('config', 'get', 'timeout')).toEqual([['timeout', '0']]);
    expect(exec('config', 'get')).toEqual({ error: "ERR wrong number of arguments for 'config|get' command" });
    expect(exec('config', 'rewrite')).toEqual({ error: 'ERR The server is running without a config file' });
    expect(exec('config', 'resetstat')).toBe('OK');
  });
});

describe('INFO commandstats', () => {
  type Stat = { calls: number; usec: number; usec_per_call: number; rejected_calls: number; failed_calls: number };
  /** cmdstat_<name> lines as objects, each line's format checked */
  const stats = (h: ReturnType<typeof engineHarness>): Record<string, Stat> => {
    const out: Record<string, Stat> = {};
    for (const line of (h.exec('info', 'commandstats') as string).split('\r\n')) {
      const m = /^cmdstat_([^:]+):(.*)$/.exec(line);
      if (!m) continue;
      const st = Object.fromEntries(m[2]!.split(',').map((kv) => kv.split('='))) as Record<string, string>;
      out[m[1]!] = {
        calls: Number(st.calls),
        usec: Number(st.usec),
        usec_per_call: Number(st.usec_per_call),
        rejected_calls: Number(st.rejected_calls),
        failed_calls: Number(st.failed_calls),
      };
      expect(m[2]).toMatch(/^calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+$/);
    }
    return out;
  };
  const counts = (st: Stat | undefined) =>
    st && { calls: st.calls, rejected: st.rejected_calls, failed: st.failed_calls };

  it('counts calls per command, per engine, until CONFIG RESETSTAT', () => {
    const a = engineHarness();
    const b = engineHarness();
    for (let i = 0; i < 3; i++) a.exec('set', 'k', String(i));
    a.exec('get', 'k');
    b.exec('get', 'k');
    const sa = stats(a);
    expect(counts(sa.set)).toEqual({ calls: 3, rejected: 0, failed: 0 });
    expect(counts(sa.get)).toEqual({ calls: 1, rejected: 0, failed: 0 });
    // like Redis, a command counts once it ran: the first INFO did not count itself, the second sees it
    expect(sa.info).toBeUndefined();
    expect(counts(stats(a).info)).toEqual({ calls: 1, rejected: 0, failed: 0 });
    // the other engine's calls are its own
    expect(stats(b).set).toBeUndefined();
    expect(a.exec('config', 'resetstat')).toBe('OK');
    // container commands count per subcommand (Redis 7); an unknown subcommand counts nowhere
    expect(Object.keys(stats(a))).toEqual(['config|resetstat']);
    a.exec('CONFIG', 'GET', 'maxmemory');
    a.exec('config', 'nosuch');
    a.exec('object', 'encoding', 'k');
    const sc = stats(a);
    expect(counts(sc['config|get'])).toEqual({ calls: 1, rejected: 0, failed: 0 });
    expect(counts(sc['object|encoding'])).toEqual({ calls: 1, rejected: 0, failed: 0 });
    expect(Object.keys(sc).filter((k) => /^(config|object)[|]/.test(k))).toHaveLength(3);
  });

  it('times the first call of a command and one in 16 after it, and reports usec as their mean × calls', () => {
    const h = engineHarness();
    // The engine times commands with performance.now(). A stand-in timer makes every timed command take 250 µs
    // (each reading is 0.25 ms after the previous one), so the figures are exact whatever the machine.
    let t = 0;
    const timer = jest.spyOn(performance, 'now').mockImplementation(() => (t += 0.25));
    try {
      for (let i = 0; i < 40; i++) h.exec('ping'); // timed: calls 1, 17 and 33
      h.exec('config', 'get', 'maxmemory'); // subcommands of container commands: always timed
      h.exec('config', 'get', 'maxclients');
      expect(timer).toHaveBeenCalledTimes(2 * (3 + 2)); // a reading before and after each timed call, none else
    } finally {
      timer.mockRestore();
    }
    const st = stats(h);
    expect(st.ping).toEqual({ calls: 40, usec: 40 * 250, usec_per_call: 250, rejected_calls: 0, failed_calls: 0 });
    expect(st['config|get']).toEqual({ calls: 2, usec: 500, usec_per_call: 250, rejected_calls: 0, failed_calls: 0 });
  });

  it('counts failed calls (error replies) and rejected ones (refused before running), and errorstats by prefix', () => {
    const h = engineHarness();
    h.exec('set', 's', 'text');
    expect(h.exec('incr', 's')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(h.exec('hset', 's', 'f', 'x')).toEqual({
      error: 'WRONGTYPE Operation against a key holding the wrong kind of value',
    });
    expect(h.exec('get')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(h.exec('nosuchcommand')).toMatchObject({ error: expect.stringMatching(/^ERR unknown command/) });
    const st = stats(h);
    expect(counts(st.incr)).toEqual({ calls: 1, rejected: 0, failed: 1 });
    expect(counts(st.hset)).toEqual({ calls: 1, rejected: 0, failed: 1 });
    expect(counts(st.get)).toEqual({ calls: 0, rejected: 1, failed: 0 });
    const info = h.exec('info', 'errorstats') as string;
    expect(info.split('\r\n').filter((l) => l.startsWith('errorstat_'))).toEqual([
      'errorstat_ERR:count=3',
      'errorstat_WRONGTYPE:count=1',
    ]);
    expect(h.exec('info', 'stats') as string).toContain('total_error_replies:4\r\n');
    expect(h.exec('config', 'resetstat')).toBe('OK');
    expect(h.exec('info', 'errorstats')).not.toContain('errorstat_');
  });
});

describe('COMMAND', () => {
  it('is generated from the command table', () => {
    const { exec, engine } = engineHarness();
    expect(exec('command', 'count')).toBe(engine.table.size);
    const [get] = exec('command', 'info', 'get') as unknown[][];
    expect(get!.slice(0, 7)).toEqual(['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast']]);
    expect(exec('command', 'info', 'nosuch')).toEqual([null]);
    expect(exec('command', 'getkeys', 'set', 'a', 'b')).toEqual(['a']);
    expect(exec('command', 'getkeys', 'ping', 'x')).toEqual({ error: 'ERR The command has no key arguments' });
    expect(exec('command', 'getkeys', 'nosuch', 'x')).toEqual({ error: 'ERR Invalid command specified' });
    expect(exec('command', 'getkeys', 'get', 'a', 'b')).toEqual({
      error: 'ERR Invalid number of arguments specified for command',
    });
    expect(exec('command', 'foo')).toEqual({ error: "ERR unknown subcommand 'foo'. Try COMMAND HELP." });
    const docs = exec('command', 'docs', 'zadd') as unknown[][];
    expect(docs[0]![0]).toBe('zadd');
    expect(docs[0]![1]).toEqual(expect.arrayContaining([['group', 'sorted-set']]));
    expect(exec('command', 'list', 'filterby', 'pattern', 'client|*')).toContain('client|list');
    expect((exec('command', 'list') as string[]).length).toBe(engine.table.size);
  });
});

describe('connection commands without a connection', () => {
  it('HELLO, AUTH, CLIENT, SELECT, TIME, ECHO, PUBLISH', () => {
    const { exec, engine, clock, session } = engineHarness();
    expect(exec('hello', '3')).toEqual(expect.arrayContaining([['proto', 3]]));
    expect(session.resp).toBe(3);
    expect(exec('hello', '4')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(exec('auth', 'x')).toEqual({
      error:
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    });
    serverStateOf(engine).config.set('requirepass', 'pw');
    expect(exec('auth', 'pw')).toBe('OK');
    expect(exec('auth', 'default', 'bad')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(exec('client', 'id')).toBe(session.id);
    expect(exec('client', 'getname')).toBeNull();
    expect(exec('client', 'setname', 'a b')).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(exec('client', 'setname', 'worker')).toBe('OK');
    expect(exec('client', 'getname')).toBe('worker');
    expect(exec('client', 'setinfo', 'lib-name', 'mylib')).toBe('OK');
    expect(exec('client', 'info')).toContain('lib-name=mylib');
    expect(exec('client', 'list')).toBe('');
    expect(exec('client', 'kill', '1.2.3.4:5')).toEqual({ error: 'ERR No such client' });
    expect(exec('client', 'no-evict', 'on')).toBe('OK');
    expect(exec('client', 'no-evict', 'maybe')).toEqual({ error: 'ERR syntax error' });
    expect(exec('select', '15')).toBe('OK');
    expect(session.db).toBe(15);
    expect(exec('select', '16')).toEqual({ error: 'ERR DB index is out of range' });
    expect(exec('select', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    clock.set(1_700_000_000_123);
    expect(exec('time')).toEqual(['1700000000', '123000']);
    expect(exec('multi')).toEqual({ error: 'ERR MULTI is only available on a RESP connection' });
    const got: string[] = [];
    pubsubOf(engine).subscribe(
      { message: (c, m) => got.push(`${c}:${m}`), pmessage: () => undefined, smessage: () => undefined },
      Buffer.from('ch'),
    );
    expect(exec('publish', 'ch', 'hi')).toBe(1);
    expect(got).toEqual(['ch:hi']);
    expect(exec('pubsub', 'channels')).toEqual(['ch']);
    expect(exec('pubsub', 'numsub', 'ch', 'x')).toEqual(['ch', 1, 'x', 0]);
    expect(exec('pubsub', 'numpat')).toBe(0);
  });
});
