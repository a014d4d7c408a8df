/**
 * Scripted keyspace sessions run on both the real redis-server and the engine: every RESP2 reply must be
 * byte-identical. They pin the edge cases the session tests assert by hand (option parsing, error precedence,
 * overflow checks, glob corner cases, encodings); seeded random sequences live in test/differential.
 *
 * Script lines are split on spaces; `""` stands for an empty argument and `\xNN` for a byte. KEYS replies are
 * compared as sets (Redis answers in hash-table order, the engine in insertion order); SCAN only runs over one key.
 * Nothing depends on more than a second of wall time.
 */
import { Engine } from '../../../src/engine/engine';
import { encodeResp2, engineTarget, type Resp2, Resp2Client, showResp2 } from '../../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../../helpers/redis-server';

const SCRIPTS: Record<string, string[]> = {
  existence: [
    'mset a 1 b 2',
    'exists a a b nokey',
    'touch a a nokey',
    'del a a nokey',
    'unlink b nokey',
    'dbsize',
    'hset h f v',
    'type h',
    'type nokey',
    'set "" empty',
    'type ""',
    'keys *',
    'del ""',
  ],
  expire: [
    'set k v',
    'expire k 100 xx',
    'expire k 100 gt',
    'expire k 100 lt',
    'ttl k',
    'expire k 50 nx',
    'expire k 200 GT',
    'expire k 300 xx',
    'expire k 100 LT lt',
    'ttl k',
    'expire k 10 foo',
    'expire k 10 nx xx',
    'expire k 10 gt lt',
    'expire nokey 10 lt nx',
    'expire k abc',
    'expire k 9223372036854775',
    'expire k -9223372036854776',
    'pexpire k 9223372036854775807',
    'expireat k 9223372036854775807',
    'expireat k 4000000000',
    'expiretime k',
    'pexpiretime k',
    // deadlines are JS numbers: exact up to 2^53 ms (year 287396), rounded beyond
    'pexpireat k 9007199254740991',
    'pexpiretime k',
    'persist k',
    'persist k',
    'persist nokey',
    'ttl k',
    'pttl k',
    'expiretime nokey',
    'expire k -1 gt',
    'expire k -1 lt',
    'exists k',
    'set k v',
    'expireat k 1',
    'exists k',
    'expire nokey 10',
  ],
  keys: [
    'mset hello 1 hallo 1 h*llo 1 abc 1',
    'keys h[ae]llo',
    'keys h[^e]llo',
    'keys h\\*llo',
    'keys [c-a]bc',
    'keys ab[c-',
    'keys a\\bc',
    'keys abc\\',
    'keys [a',
    'keys a[^',
    'keys h[a\\]llo',
    'flushall',
    'set a\\x00\\xff v',
    'keys a?\\xff',
    'keys a\\x00*',
    'keys a[\\x00-\\x01]\\xff',
    'keys a[\\x01-\\x7f]*',
    'keys *\\xff',
    'set "" v',
    'keys **',
    'keys ""',
  ],
  scan: [
    'set a 1',
    'scan 0',
    'scan ""',
    'scan +0',
    // a huge cursor is valid in both, but what Redis finds there depends on its per-process hash seed
    'scan 18446744073709551616',
    'scan abc',
    'scan " 1"',
    'scan abc count 0',
    'scan 0 count 0',
    'scan 0 count -1',
    'scan 0 count abc',
    'scan 0 match',
    'scan 0 foo bar',
    'scan 0 type string',
    'scan 0 TYPE Hash',
    'scan 0 type nosuchtype',
    'scan 0 match a* count 100 type string',
  ],
  rename: [
    'rename nokey x',
    'renamenx nokey x',
    'set a 1',
    'rename a a',
    'renamenx a a',
    'set b 2',
    'expire a 100',
    'rename a b',
    'ttl b',
    'set c 3',
    'renamenx b c',
    'renamenx b d',
    'ttl d',
    'get d',
    'set e v',
    'set f v ex 100',
    'rename e f',
    'ttl f',
  ],
  copy: [
    'set b 2 ex 100',
    'set c 3',
    'copy b c',
    'copy b c replace',
    'ttl c',
    'copy b b',
    'copy b b db 1',
    'copy b x db 16',
    'copy b x db -1',
    'copy b x db abc',
    'copy b x db 4294967296',
    'copy b x foo',
    'copy b x db',
    'copy b x replace replace',
    'copy nokey y',
    'copy b y db 1 db 2',
    'hset h a 1 b 2',
    'copy h h2',
    'hset h2 c 3',
    'hlen h',
    'hlen h2',
    'zadd z 1 a 2 b',
    'copy z z2',
    'zadd z2 3 c',
    'zrange z 0 -1 withscores',
    'zrange z2 0 -1 withscores',
    'object encoding z2',
  ],
  object: [
    'set n 123',
    'set big 123456',
    'set neg -5',
    'set max 9223372036854775807',
    'set over 9223372036854775808',
    'set lead0 0123',
    'set s hello',
    'set e44 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'set e45 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'object encoding n',
    'object encoding big',
    'object encoding neg',
    'object encoding max',
    'object encoding over',
    'object encoding lead0',
    'object encoding s',
    'object encoding e44',
    'object encoding e45',
    'append ap 123',
    'object encoding ap',
    'append ap 4',
    'object encoding ap',
    'incr ap',
    'object encoding ap',
    'setrange sr 0 1',
    'object encoding sr',
    'incrbyfloat fl 5',
    'object encoding fl',
    'copy ap ap2',
    'object encoding ap2',
    'hset h f v',
    'object encoding h',
    'hset h long xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'object encoding h',
    'zadd z 1 a',
    'object encoding z',
    'object encoding nokey',
    'object refcount n',
    'object refcount big',
    'object refcount s',
    'object refcount nokey',
    'object idletime s',
    'object freq s',
    'object freq nokey',
    'object help',
    'object Encoding',
    'object encoding a b',
    'object help x',
    'object foo',
    'object',
  ],
  flush: [
    'set a 1',
    'flushdb foo',
    'flushdb async sync',
    'flushall foo',
    'flushdb ASYNC',
    'dbsize',
    'set a 1',
    'flushall sync',
    'randomkey',
    'set only 1',
    'randomkey',
    'dbsize x',
  ],
};

function parseLine(line: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) {
    const text = m[1] ?? m[2]!;
    out.push(
      Buffer.from(
        text.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        'latin1',
      ),
    );
  }
  return out;
}

function sortedArray(r: Resp2): Resp2 {
  if (r.t !== '*') return r;
  return { t: '*', v: [...r.v].sort((a, b) => encodeResp2(a).localeCompare(encodeResp2(b))) };
}

describeWithTool('redis-server')('keyspace sessions vs redis-server (RESP2, byte for byte)', () => {
  let server: RedisServerHandle;
  let client: Resp2Client;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await Resp2Client.connect(server.port);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it.each(Object.entries(SCRIPTS))('%s', async (_name, script) => {
    const local = engineTarget(new Engine());
    await client.call(parseLine('flushall'));
    const mismatches: string[] = [];
    for (const line of script) {
      const argv = parseLine(line);
      const [redisReply, engineReply] = await Promise.all([client.call(argv), local(argv)]);
      const unordered = /^keys /i.test(line);
      const expected = unordered ? sortedArray(redisReply) : redisReply;
      const actual = unordered ? sortedArray(engineReply) : engineReply;
      if (encodeResp2(expected) !== encodeResp2(actual)) {
        mismatches.push(`${line}\n  redis:  ${showResp2(expected)}\n  engine: ${showResp2(actual)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
