/**
 * The differential sequences over the wire: the same seeded command sequences sent to the real redis-server and
 * to our RESP server (in-process, on a free port) through the same raw RESP2 client; every reply must be equal
 * byte for byte. (The group files run the full seed list against the engine in-process.)
 */
import { RespServer } from '../../src/server/server';
import { createEngine } from '../../src/service/create-engine';
import { Resp2Client } from '../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { HASHES } from './hashes';
import { KEYS_STRINGS } from './keys-strings';
import { FIXED_SEEDS, formatMismatch, runSequence, type Side } from './runner';
import { ZSETS } from './zsets';

describeWithTool('redis-server')('differential over the wire: redis-server vs s3-index RESP server', () => {
  let redis: RedisServerHandle;
  let server: RespServer;
  let oracleClient: Resp2Client;
  let subjectClient: Resp2Client;
  const side = (name: string, client: () => Resp2Client): Side => ({
    name,
    target: (argv) => client().call(argv),
    reset: async () => {
      await client().call([Buffer.from('FLUSHALL')]);
    },
  });
  const oracle = side('redis-server', () => oracleClient);
  const subject = side('s3-index RESP server', () => subjectClient);

  beforeAll(async () => {
    redis = await startRedisServer();
    server = new RespServer(createEngine(), { log: () => {} });
    const port = await server.listen(0);
    oracleClient = await Resp2Client.connect(redis.port);
    subjectClient = await Resp2Client.connect(port);
  });
  afterAll(async () => {
    oracleClient?.close();
    subjectClient?.close();
    server?.close();
    await redis?.stop();
  });

  const seeds = FIXED_SEEDS.slice(0, 8);
  for (const group of [KEYS_STRINGS, HASHES, ZSETS]) {
    it.each(seeds)(`${group.name}, seed %i: 300 commands, every reply equal over RESP`, async (seed) => {
      const m = await runSequence(group, seed, 300, oracle, subject);
      if (m) throw new Error(formatMismatch(m, subject.name));
    });
  }
});
