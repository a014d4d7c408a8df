/**
 * The jest side of the differential suite: one redis-server per group file, the engine in-process, and one
 * test per seed.
 *
 * The subject is pluggable: by default the in-process engine; with DIFF_SUBJECT_PORT=<port> the same sequences
 * run over the wire against whatever RESP server listens there (our own server), reset with FLUSHALL. The group
 * files share that server then, so run them one at a time: `DIFF_SUBJECT_PORT=6390 npx jest -i test/differential`.
 */
import { Engine } from '../../src/engine/engine';
import { engineTarget, Resp2Client } from '../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';
import { countFromEnv, formatMismatch, runSequence, type Side, seedsFromEnv } from './runner';
import type { GroupGenerator } from './vocab';

/** Generator commands that the engine does not register yet. */
export function missingCommands(group: GroupGenerator, engine: Engine): string[] {
  return Object.keys(group.commands).filter((c) => !engine.lookupCommand(c));
}

/**
 * DIFF_ALLOW_MISSING=1 (development only) drops the commands the engine lacks instead of failing the group, so
 * a group can be exercised while other groups' commands are still being written.
 */
function usableGroup(group: GroupGenerator, engine: Engine): GroupGenerator {
  if (process.env.DIFF_ALLOW_MISSING !== '1') return group;
  const missing = new Set(missingCommands(group, engine));
  return {
    name: group.name,
    commands: Object.fromEntries(Object.entries(group.commands).filter(([c]) => !missing.has(c))),
  };
}

export function describeDifferential(group: GroupGenerator): void {
  describeWithTool('redis-server')(`differential vs redis-server: ${group.name}`, () => {
    let server: RedisServerHandle;
    let client: Resp2Client;
    let subjectClient: Resp2Client | undefined;
    const subjectPort = Number(process.env.DIFF_SUBJECT_PORT ?? '0');
    const engine = new Engine();
    const oracle: Side = {
      name: 'redis-server',
      target: (argv) => client.call(argv),
      reset: async () => {
        await client.call([Buffer.from('FLUSHALL')]);
      },
    };
    const engineSide: Side = {
      name: 'engine',
      target: engineTarget(engine),
      reset: async () => {
        for (const db of engine.dbs) db.clear();
      },
    };
    const wireSide: Side = {
      name: `RESP server on port ${subjectPort}`,
      target: (argv) => subjectClient!.call(argv),
      reset: async () => {
        await subjectClient!.call([Buffer.from('FLUSHALL')]);
      },
    };
    const subject = subjectPort > 0 ? wireSide : engineSide;

    beforeAll(async () => {
      server = await startRedisServer();
      client = await Resp2Client.connect(server.port);
      if (subjectPort > 0) subjectClient = await Resp2Client.connect(subjectPort);
    });
    afterAll(async () => {
      client?.close();
      subjectClient?.close();
      await server?.stop();
    });

    const missing = missingCommands(group, engine);
    if (missing.length > 0 && process.env.DIFF_ALLOW_MISSING !== '1') {
      it('has every generated command registered in the engine', () => {
        throw new Error(
          `group '${group.name}' cannot run: the engine does not register ${missing.join(', ')} yet ` +
            '(DIFF_ALLOW_MISSING=1 runs the rest, for development only)',
        );
      });
      return;
    }
    const used = usableGroup(group, engine);
    const count = countFromEnv();
    it.each(seedsFromEnv())(`seed %i: ${count} commands, every reply equal`, async (seed) => {
      const m = await runSequence(used, seed, count, oracle, subject);
      if (m) throw new Error(formatMismatch(m, subject.name));
    });
  });
}
