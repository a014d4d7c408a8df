/**
 * Racing writers on one directory store: several writers (each its own engine, Durable and store object, as
 * separate processes would have) commit batches to the same manifest at once. A writer that loses a commit reloads
 * the store's state into a fresh engine and retries its batch. In the end no acknowledged batch is lost and none is
 * applied twice: every batch's marker is there exactly once, and a counter incremented by every batch equals the
 * number of acknowledged batches.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import { CommitConflict, Durable } from '../../src/persistence/durable';
import { FsBlobStore } from '../../src/persistence/fs-store';
import { WriteLog } from '../../src/persistence/write-log';
import { createEngine } from '../../src/service/create-engine';
import { INDEX_WEIGHTS } from '../../src/service/persistence';
import { plain } from '../helpers/engine';

interface Writer {
  engine: Engine;
  log: WriteLog;
}

async function open(dir: string): Promise<Writer> {
  const engine = createEngine({ clock: new ManualClock() });
  const store = await FsBlobStore.open(dir);
  const { durable } = await Durable.open(engine, { store, weights: INDEX_WEIGHTS });
  return { engine, log: new WriteLog(durable, engine, { maxBackoffMs: 10 }).start() };
}

it('several writers on one manifest: nothing acknowledged is lost, nothing applied twice', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-race-'));
  const WRITERS = 4;
  const BATCHES = 12;
  const acknowledged: string[] = [];
  let conflicts = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      let me = await open(dir);
      for (let b = 0; b < BATCHES; b++) {
        const id = `w${w}-b${b}`;
        for (;;) {
          me.engine.exec('HSET', 'markers', id, String(w));
          me.engine.exec('INCR', 'total');
          try {
            await me.log.flush();
            acknowledged.push(id);
            break;
          } catch (err) {
            if (!(err instanceof CommitConflict)) throw err;
            conflicts++;
            // the engine is ahead of the store: start again from the store's state, then retry the batch
            me.log.stop();
            me = await open(dir);
          }
        }
        // let the others in between
        await new Promise((r) => setTimeout(r, Math.random() * 3));
      }
      me.log.stop();
    }),
  );
  const final = await open(dir);
  final.log.stop();
  // HGETALL as RESP3 gives [field, value] pairs
  const ids = (plain(final.engine.exec('HKEYS', 'markers')) as string[]).sort();
  expect(ids).toEqual(acknowledged.slice().sort());
  expect(ids.length).toBe(WRITERS * BATCHES);
  expect(plain(final.engine.exec('GET', 'total'))).toBe(String(WRITERS * BATCHES));
  // the writers did race (otherwise this proves nothing)
  expect(conflicts).toBeGreaterThan(0);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);
