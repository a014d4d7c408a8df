/**
 * An ingest worker process for test/service/redis-index-workers.test.ts: a RedisIndex on its own connection (made
 * by src/service/redis-client.ts connectRedis, as `serve --redis-url` makes it: no offline queue, fail fast), which
 * ingests the batches the parent sends over IPC, in order, as a queue consumer does: a batch whose ingest() rejects
 * with IndexUnavailable (server down, loading, timed out) is not acknowledged and is tried again until it is.
 *
 * Bundled with esbuild by the test and started with fork(bundle, [JSON target]).
 *
 * Messages in:  { type: 'ingest', job, batches: Array<{ n, events }> }   (n: the batch's number, for the reports)
 * Messages out: { type: 'ready' } once connected;
 *               { type: 'ack', job, n, outcome } per acknowledged batch;
 *               { type: 'rejected', job, n, message } per rejected attempt;
 *               { type: 'done', job } after the last batch of a job;
 *               { type: 'error', job, message } on anything else (the job stops).
 */

import { IndexUnavailable } from '../../src/service/object-index';
import { connectRedis, type RedisTarget } from '../../src/service/redis-client';
import { RedisIndex } from '../../src/service/redis-index';

interface Target {
  cluster: boolean;
  nodes: Array<{ host: string; port: number }>;
  /** the index's clock (ms), fixed: the same as the oracle's */
  now: number;
}

interface Job {
  type: 'ingest';
  job: number;
  batches: Array<{ n: number; events: unknown[] }>;
}

const target = JSON.parse(process.argv[2]!) as Target;
const redisTarget: RedisTarget = { cluster: target.cluster, tls: false, nodes: target.nodes, db: 0 };
const client = connectRedis(redisTarget);
// ioredis reconnects by itself; the commands sent meanwhile fail (IndexUnavailable), which is what is tested
client.on('error', () => undefined);
const index = new RedisIndex(client, { now: () => target.now });

const send = (msg: unknown) => process.send!(msg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runJob(job: Job): Promise<void> {
  for (const b of job.batches) {
    for (;;) {
      try {
        const outcome = await index.ingest(b.events);
        send({ type: 'ack', job: job.job, n: b.n, outcome });
        break;
      } catch (err) {
        if (!(err instanceof IndexUnavailable)) throw err;
        send({ type: 'rejected', job: job.job, n: b.n, message: err.message });
        await sleep(20);
      }
    }
  }
  send({ type: 'done', job: job.job });
}

process.on('message', (msg: Job) => {
  if (msg.type !== 'ingest') return;
  runJob(msg).catch((err: Error) => send({ type: 'error', job: msg.job, message: String(err?.stack ?? err) }));
});
process.on('disconnect', () => {
  client.disconnect();
  process.exit(0);
});

client.once('ready', () => send({ type: 'ready' }));
