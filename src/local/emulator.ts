/**
 * The local S3 of `s3-index dev` (`npm start`): s3rver, a real S3 HTTP server on the filesystem, whose every change
 * becomes an S3 event (./events.ts) handed to `onEvents` in the order the changes completed.
 *
 * The changes are taken from s3rver's store (putObject, copyObject, deleteObject), not from its notification
 * records: those miss multi-object deletes (`aws s3 rm --recursive`, DeleteObjects), carry no ETag for copies, and
 * give keys raw where real notifications URL-encode them. A multipart completion writes through putObject too, and
 * is told apart by the call that wraps it.
 *
 * s3rver's gaps a user may meet (docs/local.md): listings past 1000 keys need Node's `--openssl-legacy-provider`
 * (its continuation tokens use a cipher OpenSSL 3 retired; `s3-index dev` runs with it); keys with empty path
 * segments (`a//b`) are refused; large paged listings of the emulator itself can skip keys (the index's listings do
 * not: they come from the index); no versioning, no conditional writes.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type LocalChange, Sequencer, toEventBridge } from './events';

export interface EmulatorOptions {
  host: string;
  port: number;
  /** where the objects are kept (created if absent) */
  directory: string;
  /** buckets created at start if absent */
  buckets: readonly string[];
  /** receives the S3 events of the changes, in order; a rejection is logged and the events are retried */
  onEvents: (events: unknown[]) => Promise<void>;
  log: (line: string) => void;
}

export interface RunningEmulator {
  port: number;
  endpoint: string;
  /** resolves once every change so far has been delivered */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: StoreLike;
  listen(...args: unknown[]): unknown;
}

interface StoreLike {
  putObject(object: { bucket: string; key: string }): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, meta?: unknown): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  putObjectMultipart(bucket: string, uploadId: string, parts: unknown): Promise<{ size: number; md5: string }>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
}

/**
 * s3rver knows one access key (S3RVER) and answers InvalidAccessKeyId to any other, though it never checks SigV4
 * signatures. A local emulator on loopback takes whatever credentials the AWS CLI or SDK has, so every unknown key
 * is its dummy account's.
 */
function acceptAnyAccessKey(): void {
  const AWSAccount = require('s3rver/lib/models/account') as {
    registry: Map<string, unknown>;
    DUMMY_ACCOUNT: { accessKeys: Map<string, string> };
  };
  const registry = AWSAccount.registry;
  const account = AWSAccount.DUMMY_ACCOUNT;
  registry.get = (id: string) => Map.prototype.get.call(registry, id) ?? account;
  const keys = account.accessKeys;
  keys.get = (id: string) => Map.prototype.get.call(keys, id) ?? 'S3RVER';
}

/** The clock of file timestamps is coarse (a jiffy), and may read a little behind Date.now(). */
const MTIME_SLACK_MS = 50;
/** How long a PUT waits at most for s3rver's file to be written. */
const FLUSH_WAIT_MS = 500;

/**
 * Makes s3rver's PUT answer once the object is stored, as S3's does. s3rver's filesystem store resolves a put when it
 * has read the body, while its file stream may still be opening (and truncating) the file and writing it: a GET,
 * HEAD or listing right after an overwrite could see 0 bytes, or the old object. Each put here then waits (polling
 * the file, a few ms) until the file is the new one: its size is the put's and it was modified after the put began.
 */
export function storeBeforeAnswering(store: StoreLike): void {
  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    const began = Date.now() - MTIME_SLACK_MS;
    const r = await putObject(object);
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    // bounded: a concurrent DELETE or PUT of the same key may have removed or replaced the file meanwhile
    const deadline = Date.now() + FLUSH_WAIT_MS;
    for (;;) {
      const st = await fs.promises.stat(file).catch(() => undefined);
      if ((st !== undefined && st.size === r.size && st.mtimeMs >= began) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return r;
  };
}

/** how long an S3 request waits for its change to be ingested before it is answered anyway */
const WAIT_MS = 2000;

type Change = LocalChange extends infer C
  ? C extends { sequencer: string }
    ? Omit<C, 'sequencer' | 'time'>
    : never
  : never;

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  // loaded only when the emulator runs (a dependency of `dev` alone)
  const S3rver = require('s3rver') as new (o: Record<string, unknown>) => S3rverInstance;
  acceptAnyAccessKey();
  fs.mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    address: opts.host,
    port: opts.port,
    directory: opts.directory,
    silent: true,
    resetOnClose: false,
    // any credentials are accepted, as the README's `aws --endpoint-url` examples use
    allowMismatchedSignatures: true,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  const sequencer = new Sequencer();
  const queue: unknown[] = [];
  /** events handed to onEvents so far, and the waiters for a count */
  let delivered = 0;
  let queuedTotal = 0;
  const waiters: Array<{ upTo: number; resolve: () => void }> = [];
  let delivering: Promise<void> | undefined;
  let closed = false;

  const deliver = (): Promise<void> => {
    if (delivering !== undefined) return delivering;
    delivering = (async () => {
      let failures = 0;
      while (queue.length > 0 && !closed) {
        const batch = queue.slice(0, 1000);
        try {
          await opts.onEvents(batch);
          queue.splice(0, batch.length);
          failures = 0;
          delivered += batch.length;
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (waiters[i]!.upTo <= delivered) waiters.splice(i, 1)[0]!.resolve();
          }
        } catch (err) {
          failures++;
          if (failures === 1 || failures % 10 === 0)
            opts.log(`emulator: ${batch.length} events not ingested yet (${(err as Error).message}); retrying`);
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
        }
      }
    })().finally(() => {
      delivering = undefined;
      if (queue.length > 0 && !closed) void deliver();
    });
    return delivering;
  };

  /**
   * Queues the change's event and resolves once it is ingested, or after WAIT_MS: the S3 request is answered then,
   * so that a put is listed as soon as the client sees it succeed (read-your-writes, which a local tool owes its
   * user; in AWS the index follows about a second behind). An index that cannot take it keeps the event queued.
   */
  const emit = (change: Change): Promise<void> => {
    const now = Date.now();
    queue.push(toEventBridge({ ...change, sequencer: sequencer.next(now), time: now } as LocalChange));
    const upTo = ++queuedTotal;
    void deliver();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WAIT_MS);
      timer.unref();
      waiters.push({
        upTo,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  };

  const store = server.store;
  storeBeforeAnswering(store);
  const putObject = store.putObject.bind(store);
  const copyObject = store.copyObject.bind(store);
  const deleteObject = store.deleteObject.bind(store);
  const putObjectMultipart = store.putObjectMultipart.bind(store);
  let completing = 0;
  store.putObject = async (object) => {
    const r = await putObject(object);
    const reason = completing > 0 ? 'CompleteMultipartUpload' : 'PutObject';
    await emit({ kind: 'created', reason, bucket: object.bucket, key: object.key, size: r.size, etag: r.md5 });
    return r;
  };
  store.putObjectMultipart = async (bucket, uploadId, parts) => {
    completing++;
    try {
      return await putObjectMultipart(bucket, uploadId, parts);
    } finally {
      completing--;
    }
  };
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, meta) => {
    const r = await copyObject(srcBucket, srcKey, destBucket, destKey, meta);
    const m = r as Record<string, string> | undefined;
    const etag = String(m?.etag ?? '').replace(/"/g, '');
    const size = Number(m?.['content-length'] ?? 0);
    await emit({ kind: 'created', reason: 'CopyObject', bucket: destBucket, key: destKey, size, etag });
    return r;
  };
  store.deleteObject = async (bucket, key) => {
    await deleteObject(bucket, key);
    await emit({ kind: 'deleted', reason: 'DeleteObject', bucket, key });
  };

  // s3rver's listen() waits for a callback error that Node never passes (a busy port is an 'error' event, which
  // would go unhandled and crash the process): listen with the error handled, so run() rejects
  const listen = server.listen.bind(server);
  server.listen = (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      const http = listen(...args, () => {
        http.off('error', reject);
        resolve(http);
      }) as import('node:http').Server;
      http.once('error', reject);
    });
  const address = await server.run();
  const endpoint = `http://${opts.host}:${address.port}`;
  const drain = async (): Promise<void> => {
    while (queue.length > 0 || delivering !== undefined) await (delivering ?? deliver());
  };
  return {
    port: address.port,
    endpoint,
    drain,
    async close() {
      await server.close();
      // what the store did before it closed is still delivered
      await Promise.race([drain(), new Promise((r) => setTimeout(r, 5000))]);
      closed = true;
    },
  };
}
