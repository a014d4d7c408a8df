/**
 * Scripted string sessions run on both the real redis-server and the engine: every RESP2 reply must be
 * byte-identical. They pin the edge cases the session tests assert by hand (SET/GETEX option parsing and error
 * precedence, int64 overflow, long-double INCRBYFLOAT formatting, range clamping); seeded random sequences live
 * in test/differential.
 *
 * Script lines are split on spaces; `""` stands for an empty argument and `\xNN` for a byte. Nothing depends on
 * more than a second of wall time.
 */
import { Engine } from '../../../src/engine/engine';
import { encodeResp2, engineTarget, Resp2Client, showResp2 } from '../../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../../helpers/redis-server';

const SCRIPTS: Record<string, string[]> = {
  set: [
    'set k v xx',
    'set k v nx',
    'set k w nx',
    'set k x get',
    'set n x get',
    'set k y nx get',
    'set m y xx get',
    'set k z nx nx',
    'set k v ex 10 px 100',
    'set k v px 10 ex 100',
    'set k v exat 10 pxat 100',
    'set k v nx xx',
    'set k v ex',
    'set k v keepttl ex 10',
    'set k v ex 10 keepttl',
    'set k v persist',
    'set k v foo',
    'set k v get foo',
    'set k v ex 0',
    'set k v ex -1',
    'set k v px 0',
    'set k v exat 0',
    'set k v ex abc',
    'set k v ex 1.5',
    'set k v ex 9223372036854775807',
    'set k v ex 9223372036854775',
    'set k v px 9223372036854775807',
    'set k v ex 10 ex 20',
    'ttl k',
    'set k v keepttl keepttl',
    'ttl k',
    'set k v',
    'ttl k',
    'set k v exat 1',
    'get k',
    'hset h f v',
    'get h',
    'set h x get',
    'set h x nx',
    'set h x',
    'get h',
    'set bin \x00\xff\r\n',
    'get bin',
    'strlen bin',
  ],
  variants: [
    'setnx k v',
    'setnx k w',
    'setex k 0 v',
    'setex k abc v',
    'psetex k -1 v',
    'setex k 9223372036854775 v',
    'setex k 10 v',
    'ttl k',
    'getset k w',
    'ttl k',
    'getset new v',
    'getdel k',
    'getdel k',
    'hset h f v',
    'getset h x',
    'getdel h',
    'setnx h x',
    'set g v',
    'getex g',
    'getex g ex 0',
    'getex nokey ex 0',
    'getex g ex abc',
    'getex g persist ex 10',
    'getex g ex 10 persist',
    'getex g keepttl',
    'getex g nx',
    'getex g get',
    'getex g ex',
    'getex g ex 10',
    'ttl g',
    'getex g persist',
    'ttl g',
    'getex g exat 1',
    'exists g',
    'getex h persist',
  ],
  multi: [
    'mset a',
    'mset a 1 b',
    'msetnx a 1 b',
    'mset a 1 b 2',
    'msetnx a 1 c 2',
    'msetnx c 1 d 2',
    'hset h f v',
    'mget a b c d nokey h',
    'msetnx h 1 x 2',
    'msetnx x 1 x 2',
    'get x',
    'mset h 1',
    'get h',
  ],
  counters: [
    'incr n',
    'incrby n 10',
    'decr n',
    'decrby n 15',
    'set k 9223372036854775806',
    'incr k',
    'incr k',
    'incrby k -1',
    'decrby k -9223372036854775808',
    'decrby nokey -9223372036854775808',
    'set k -9223372036854775807',
    'decr k',
    'decr k',
    'decrby k 1',
    'incrby k 9223372036854775807',
    'incrby k abc',
    'incrby k 9223372036854775808',
    'set k 1.5',
    'incr k',
    'set k " 1"',
    'incr k',
    'set k 010',
    'incr k',
    'set k -0',
    'incr k',
    'set k +1',
    'incr k',
    // around the 15-digit fast path of INCR and the 2^53 limit of doubles
    'set k 999999999999999',
    'incr k',
    'incr k',
    'get k',
    'set k -999999999999999',
    'decr k',
    'get k',
    'set k 9007199254740991',
    'incr k',
    'incr k',
    'get k',
    'set k 5',
    'incrby k 999999999999999',
    'incrby k -9999999999999999',
    'get k',
    'incrby k 00',
    'incrby k -0',
    'incrby k -',
    'incrby k ""',
    'set k -',
    'incr k',
    'set k ""',
    'incr k',
    'hset h f v',
    'incr h',
    'incrby h abc',
    'decrby h 1',
  ],
  floats: [
    'incrbyfloat f 1.5',
    'incrbyfloat f 1e300',
    'set f 0.1',
    'incrbyfloat f 0.2',
    'set f 1000',
    'incrbyfloat f 0.1',
    'set f 10.5',
    'incrbyfloat f 0.1',
    'incrbyfloat f 3.0e3',
    'set f 1',
    'incrbyfloat f 1e-20',
    'incrbyfloat f 1.23456789012345678901',
    'set f 123456789',
    'incrbyfloat f 0.123',
    'set f 5',
    'incrbyfloat f 1e-10',
    'incrbyfloat f 1e20',
    'set f 0x10',
    'incrbyfloat f 1',
    'set f 3.0e3',
    'incrbyfloat f 0',
    'incrbyfloat f -3000',
    'incrbyfloat f inf',
    'incrbyfloat f nan',
    'incrbyfloat f abc',
    'set f abc',
    'incrbyfloat f 1',
    'set f " 1"',
    'incrbyfloat f 1',
    'set f inf',
    'incrbyfloat f 1',
    'incrbyfloat f x',
    'set f 1e1000',
    'incrbyfloat f 1',
    'hset h f v',
    'incrbyfloat h 1',
  ],
  ranges: [
    'set s "This is a string"',
    'getrange s 0 3',
    'getrange s -3 -1',
    'getrange s 0 -1',
    'getrange s 10 100',
    'getrange s 5 3',
    'getrange s -100 -50',
    'getrange s -1 -100',
    'getrange s 100 200',
    'getrange nokey 0 -1',
    'getrange s a 1',
    'getrange s 0 9223372036854775808',
    'substr s 0 3',
    'set e ""',
    'getrange e 0 -1',
    'getrange e 0 0',
    'set n 12345',
    'getrange n 1 2',
    'setrange s -1 x',
    'setrange s abc x',
    'setrange s 536870912 x',
    'setrange nk 536870911 xy',
    'setrange nk 536870912 ""',
    'setrange nk 5 ""',
    'exists nk',
    'setrange nk 3 ab',
    'get nk',
    'setrange s 0 ""',
    'setrange s 5 IS',
    'get s',
    'append s2 123',
    'append s2 4',
    'get s2',
    'append s2 ""',
    'strlen s2',
    'strlen nokey',
    'hset h a b',
    'strlen h',
    'append h x',
    'getrange h 0 1',
    'setrange h 0 x',
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

describeWithTool('redis-server')('string sessions vs redis-server (RESP2, byte for byte)', () => {
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
      const [expected, actual] = await Promise.all([client.call(argv), local(argv)]);
      if (encodeResp2(expected) !== encodeResp2(actual)) {
        mismatches.push(`${line}\n  redis:  ${showResp2(expected)}\n  engine: ${showResp2(actual)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
