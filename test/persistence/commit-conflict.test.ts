/**
 * A writer that loses the commit race (a zombie Lambda container: another writer committed first) fails its flush
 * with CommitConflict at once, is fenced, and leaves the winner's acknowledged data as it was; never a StoreError
 * retried until the ack timeout. The race is staged as test/handlers/handlers.test.ts stages it: a fenced
 * MemoryBlobStore behind a Proxy whose first segment put lets the winner commit just before the loser's. The store
 * may come from another instance of the persistence modules than Durable's (the handler test's containers are loaded
 * with jest.isolateModules around a store the test made): its PreconditionFailed is then another class.
 */
import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import type { BlobStore } from '../../src/persistence/blob-store';
import { Durable } from '../../src/persistence/durable';
import { MANIFEST } from '../../src/persistence/manifest';
import { MemoryBlobStore } from '../../src/persistence/memory-store';
import { WriteLog } from '../../src/persistence/write-log';
import { createEngine } from '../../src/service/create-engine';
import { dumpEngine } from './dump';

interface Node {
  engine: Engine;
  clock: ManualClock;
  durable: Durable;
  log: WriteLog;
  lines: string[];
}

const nodes: Node[] = [];

async function openNode(store: BlobStore, writerId: string): Promise<Node> {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const lines: string[] = [];
  const { durable } = await Durable.open(engine, { store, writerId, log: (l) => lines.push(l) });
  // the Lambda's default ack timeout: a conflict must not wait for it
  const log = new WriteLog(durable, engine, { log: (l) => lines.push(l), ackTimeoutMs: 30_000 }).start();
  const node = { engine, clock, durable, log, lines };
  nodes.push(node);
  return node;
}

afterEach(() => {
  for (const n of nodes.splice(0)) n.log.stop();
});

/** A fenced memory store of this module instance, or of another one (as jest.isolateModules loads it). */
function memoryStore(kind: 'same' | 'foreign'): BlobStore {
  if (kind === 'same') return new MemoryBlobStore(true);
  let Foreign: typeof MemoryBlobStore | undefined;
  jest.isolateModules(() => {
    Foreign = (require('../../src/persistence/memory-store') as typeof import('../../src/persistence/memory-store'))
      .MemoryBlobStore;
  });
  expect(Foreign).not.toBe(MemoryBlobStore);
  return new Foreign!(true);
}

/** `store`, whose next segment put first runs `race` (the winner's commit), set with the returned function. */
function racing(store: BlobStore): { store: BlobStore; before: (race: () => Promise<unknown>) => void } {
  let race: (() => Promise<unknown>) | undefined;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'put') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<BlobStore['put']>) => {
        const go = race;
        race = undefined;
        if (go !== undefined && String(args[0]).startsWith('log/')) await go();
        return target.put(...args);
      };
    },
  });
  return { store: proxy, before: (r) => (race = r) };
}

async function settleWithin(p: Promise<unknown>, ms: number): Promise<{ err: unknown; ms: number }> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  try {
    const out = await Promise.race([
      p.then(
        () => 'resolved',
        (err: unknown) => ({ err }),
      ),
      timeout,
    ]);
    if (out === 'timeout') throw new Error(`the flush neither resolved nor rejected within ${ms} ms`);
    if (out === 'resolved') throw new Error('the losing flush resolved: it was acknowledged');
    return { err: (out as { err: unknown }).err, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

describe.each(['same', 'foreign'] as const)('a lost commit race (a store of the %s module instance)', (kind) => {
  it('the loser flush rejects with CommitConflict at once; the winner data is intact', async () => {
    const shared = memoryStore(kind);
    const { store, before } = racing(shared);
    const winner = await openNode(shared, 'winner01');
    const zombie = await openNode(store, 'zombie01');
    before(async () => {
      winner.engine.exec('SET', 'k', 'from the winner');
      winner.engine.exec('SET', 'w', '1');
      await winner.log.flush();
    });
    zombie.engine.exec('SET', 'k', 'from the zombie');
    zombie.clock.advance(1);
    zombie.engine.exec('SET', 'z', '1');
    const { err, ms } = await settleWithin(zombie.log.flush(), 2000);
    expect((err as Error).name).toBe('CommitConflict');
    expect(ms).toBeLessThan(2000);
    expect(zombie.lines.join('\n')).toMatch(/another writer committed to the store first/);
    // fenced: a later flush fails at once too, and nothing is retried behind it
    zombie.engine.exec('SET', 'y', '1');
    await expect(zombie.log.flush()).rejects.toHaveProperty('name', 'CommitConflict');
    // the winner's acknowledged commit is what the store holds
    const m = JSON.parse(((await shared.get(MANIFEST)) as { body: Buffer }).body.toString('utf8'));
    expect(m.writer).toBe('winner01');
    expect(m.segments.map((s: { name: string }) => s.name)).toEqual([winner.durable.current.segments[0]!.name]);
    const reader = await openNode(shared, 'reader01');
    expect(dumpEngine(reader.engine)).toEqual(dumpEngine(winner.engine));
    expect(reader.engine.exec('GET', 'k')).toEqual({ t: 'bulk', v: Buffer.from('from the winner') });
    expect(reader.engine.exec('GET', 'z')).toEqual({ t: 'null' });
    // and the winner goes on committing
    winner.engine.exec('SET', 'after', '1');
    await winner.log.flush();
  });

  it('a retry that meets its own earlier segment and a changed manifest fails with CommitConflict at once', async () => {
    const shared = memoryStore(kind);
    const winner = await openNode(shared, 'winner01');
    // the zombie's first manifest replacement fails as a store failure (no effect), so its retry finds its own
    // segment already there (create-if-absent fails) while the winner has committed meanwhile
    let failedOnce = false;
    const zombieStore = new Proxy(shared, {
      get(target, prop, receiver) {
        if (prop !== 'put') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<BlobStore['put']>) => {
          if (args[0] === MANIFEST && !failedOnce) {
            failedOnce = true;
            winner.engine.exec('SET', 'k', 'from the winner');
            await winner.log.flush();
            throw Object.assign(new Error('injected: 503 SlowDown'), { name: 'StoreError' });
          }
          return target.put(...args);
        };
      },
    });
    const zombie = await openNode(zombieStore, 'zombie01');
    zombie.engine.exec('SET', 'k', 'from the zombie');
    const { err } = await settleWithin(zombie.log.flush(), 2000);
    expect((err as Error).name).toBe('CommitConflict');
    const reader = await openNode(shared, 'reader01');
    expect(dumpEngine(reader.engine)).toEqual(dumpEngine(winner.engine));
  });
});
