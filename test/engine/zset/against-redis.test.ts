/**
 * Scripted sessions run on both the real redis-server and the engine: every RESP2 reply must be byte-identical.
 * These pin the edge cases the session tests assert by hand (parsing, error precedence, reply shapes); the seeded
 * random sequences live in test/differential.
 *
 * Script lines are split on spaces; `""` stands for an empty argument and `\xNN` for a byte.
 */
import { Engine } from '../../../src/engine/engine';
import { encodeResp2, engineTarget, Resp2Client, showResp2 } from '../../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../../helpers/redis-server';

const SETUP = [
  'zadd z 1 a 2 b 3 c 4 d 5 e',
  'zadd lex 0 a 0 b 0 c 0 d 0 e 0 \\x80 0 a\\x00 0 ""',
  'zadd w -inf lo 1.5 x 0.1 y 1e-310 tiny 2.5e20 huge inf hi',
  'set s v',
];

const SCRIPTS: Record<string, string[]> = {
  zadd: [
    'zadd n nx xx 1 a',
    'zadd n gt lt 1 a',
    'zadd n nx gt 1 a',
    'zadd n incr 1 a 2 b',
    'zadd n 1 a 2',
    'zadd n foo 1 a',
    'zadd n incr 1',
    'zadd n abc a',
    'zadd n 1e400 a',
    'zadd n 1e-400 a',
    'zadd n " 1" a',
    'zadd n ch 1 a 2 a',
    'zadd n xx incr 1 q',
    'zadd n nx incr 1 a',
    'zadd n gt incr -1 a',
    'zadd n lt incr -1 a',
    'zadd n incr inf a',
    'zadd n incr -inf a',
    'zadd n -0 m 0x10 h .5 f',
    'zrange n 0 -1 withscores',
    'zadd s 1 a',
    'zadd s x a',
    'zincrby n 0.1 f',
    'zincrby n abc f',
    'zincrby s 1 a',
    'zadd xxmissing xx 1 a',
    'exists xxmissing',
  ],
  reads: [
    'zscore w x',
    'zscore w tiny',
    'zscore w huge',
    'zscore w nope',
    'zscore s a',
    'zmscore w x nope hi lo',
    'zmscore missing a b',
    'zcard w',
    'zcard missing',
    'zcount z (1 3',
    'zcount z -inf +inf',
    'zcount z 3 1',
    'zcount z x 1',
    'zcount s x 1',
    'zcount s 1 2',
    'zlexcount lex - +',
    'zlexcount lex [a (c',
    'zlexcount lex ( [',
    'zlexcount lex a +',
    'zrank z c',
    'zrevrank z c',
    'zrank z nope',
    'zrank missing a',
    'zrank s a',
  ],
  ranges: [
    'zrange z 0 -1 withscores',
    'zrange z -2 -1',
    'zrange z -100 1',
    'zrange z 5 10',
    'zrange z 2 1',
    'zrange z 0 1 rev withscores',
    'zrange z 0 -1 limit 0 -1',
    'zrange z 0 -1 limit 0 5',
    'zrange z 0 -1 limit 0',
    'zrange z 0 -1 limit a b',
    'zrange z 0 -1 rev rev',
    'zrange z 0 -1 byscore bylex',
    'zrange z a 1',
    'zrange s 0 1',
    'zrange s a 1',
    'zrange missing 0 -1',
    'zrange z (1 4 byscore limit 1 2 withscores',
    'zrange z +inf -inf byscore rev limit 1 2',
    'zrange lex [a + bylex limit 1 3',
    'zrange lex + - bylex rev',
    'zrange lex - + bylex withscores',
    'zrangebyscore z "" ""',
    'zrangebyscore z " 1" (3',
    'zrangebyscore z "1 " 3',
    'zrangebyscore z ( 3',
    'zrangebyscore z 0x1 0x3',
    'zrangebyscore z 1e400 inf',
    'zrangebyscore z nan 1',
    'zrangebyscore z -inf +inf limit -1 2',
    'zrangebyscore z -inf +inf limit 1 -5',
    'zrangebyscore z -inf +inf limit 1 0',
    'zrangebyscore z -inf +inf limit 9 1',
    'zrangebyscore z 0 10 rev',
    'zrangebyscore w -inf +inf withscores',
    'zrevrangebyscore z 4 (2 withscores',
    'zrevrangebyscore z 2 4',
    'zrevrangebyscore z +inf -inf limit 1 2',
    'zrevrange z 0 1 withscores',
    'zrevrange z 0 -1 limit 0 1',
    'zrangebylex lex - +',
    'zrangebylex lex ( +',
    'zrangebylex lex [ (',
    'zrangebylex lex (a (b',
    'zrangebylex lex [a\\x00 +',
    'zrangebylex lex - + limit 2 3',
    'zrangebylex lex - + withscores',
    'zrangebylex lex a +',
    'zrangebylex lex ++ +',
    'zrevrangebylex lex + - limit 0 3',
    'zrevrangebylex lex [c -',
    'zrangestore dst z 1 2',
    'zrange dst 0 -1 withscores',
    'zrangestore dst z 10 20',
    'exists dst',
    'zrangestore dst z 0 -1 withscores',
    'zrangestore dst s 0 -1',
    'zrangestore dst missing 0 -1',
    'zrangestore dst lex [b + bylex limit 0 2',
    'zrange dst 0 -1 withscores',
  ],
  removals: [
    'zrem z a nope a',
    'zrem s a',
    'zremrangebyrank z 0 0',
    'zremrangebyrank z -1 -1',
    'zremrangebyrank z 5 1',
    'zremrangebyrank z a 1',
    'zrange z 0 -1',
    'zremrangebyscore w (1 +inf',
    'zremrangebyscore w x 1',
    'zremrangebyscore s x 1',
    'zremrangebyscore s 1 2',
    'zrange w 0 -1 withscores',
    'zremrangebylex lex [a (d',
    'zremrangebylex lex + -',
    'zremrangebylex lex x +',
    'zrange lex 0 -1',
    'zremrangebyrank z 0 -1',
    'exists z',
  ],
  pops: [
    'zpopmin z',
    'zpopmax z 2',
    'zpopmin z 0',
    'zpopmin z -1',
    'zpopmin z abc',
    'zpopmin s abc',
    'zpopmin s 1',
    'zpopmin z 1 2',
    'zpopmin missing',
    'zmpop 0 z min',
    'zmpop abc z min',
    'zmpop 2 z min',
    'zmpop 1 z foo',
    'zmpop 1 z min count 0',
    'zmpop 1 z min count abc',
    'zmpop 1 z min count',
    'zmpop 1 z min count 1 count 1',
    'zmpop 2 missing s min',
    'zmpop 2 missing other min',
    'zmpop 3 missing z w max count 10',
    'zmpop 2 z w min count 2',
    'exists z',
    'zpopmax w 100',
    'exists w',
  ],
  random: [
    'zrandmember z 0',
    'zrandmember z 10',
    'zrandmember z 5 withscores',
    'zrandmember z abc',
    'zrandmember missing abc',
    'zrandmember z 1 foo',
    'zrandmember z 1 withscores x',
    'zrandmember z -9223372036854775808',
    'zrandmember z 4611686018427387904 withscores',
    'zrandmember z -4611686018427387904 withscores',
    'zrandmember missing',
    'zrandmember missing 3',
    'zrandmember s',
    'zrandmember s 0',
  ],
  scan: [
    'zscan z 0',
    'zscan w 0',
    'zscan z 7 count 1',
    'zscan z 0 match [bd]',
    'zscan z 0 match *',
    'zscan z abc',
    'zscan z -1',
    'zscan z ""',
    'zscan z " 1"',
    'zscan z 18446744073709551616',
    'zscan z 0 count 0',
    'zscan z 0 count x',
    'zscan z 0 match',
    'zscan z 0 type zset',
    'zscan missing abc',
    'zscan missing 0 count 0',
    'zscan s 0',
  ],
  'set operations': [
    'zadd z2 10 b 20 c 30 d',
    'zadd zi inf p -inf n 0 zero',
    'zunion 2 z z2 withscores',
    'zunion 2 z z2 aggregate min withscores',
    'zunion 2 z z2 aggregate max withscores',
    'zunion 2 z z2 weights 2 -1 withscores',
    'zunion 1 z weights 2 withscores aggregate max weights 3',
    'zunion 1 zi weights 0 withscores',
    'zunion 2 zi zi weights 1 -1 withscores',
    'zunion 1 zi weights -1 withscores',
    'zinter 2 zi zi weights 0 1 aggregate min withscores',
    'zinter 2 zi zi weights 0 1 aggregate max withscores',
    'zinter 2 zi zi weights 0 1 withscores',
    'zinter 2 z z2 withscores',
    'zinter 2 z missing',
    'zinter 2 z z2 weights 1 0.5 aggregate max withscores',
    'zdiff 2 z z2 withscores',
    'zdiff 2 z2 z',
    'zdiff 2 missing z',
    'zdiff 1 z weights 2',
    'zintercard 2 z z2',
    'zintercard 2 z z2 limit 1',
    'zintercard 2 z z2 limit 0',
    'zintercard 1 z limit -1',
    'zintercard 1 z limit abc',
    'zintercard 0 z',
    'zintercard 1 z weights 1',
    'zunion 0 z',
    'zunion -1 z',
    'zunion abc z',
    'zunion 2 z',
    'zunion 1 z weights',
    'zunion 1 z weights x',
    'zunion 1 s weights x',
    'zunion 1 z aggregate avg',
    'zunion 1 z aggregate',
    'zinter 1 z limit 1',
    'zunionstore d 2 z z2 weights 1 0',
    'zrange d 0 -1 withscores',
    'zunionstore d 1 missing',
    'exists d',
    'zunionstore d 1 z withscores',
    'zunionstore d 0 z',
    'zinterstore d 2 z z2',
    'zrange d 0 -1 withscores',
    'zdiffstore d 2 z2 z',
    'zrange d 0 -1 withscores',
    'zdiffstore d 2 z z',
    'exists d',
    'zunionstore s 1 z',
    'type s',
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

describeWithTool('redis-server')('sorted-set sessions vs redis-server (RESP2, byte for byte)', () => {
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
    const engine = new Engine();
    const local = engineTarget(engine);
    await client.call(parseLine('flushall'));
    const mismatches: string[] = [];
    for (const line of [...SETUP, ...script]) {
      const argv = parseLine(line);
      const [expected, actual] = await Promise.all([client.call(argv), local(argv)]);
      if (encodeResp2(expected) !== encodeResp2(actual)) {
        mismatches.push(`${line}\n  redis:  ${showResp2(expected)}\n  engine: ${showResp2(actual)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
