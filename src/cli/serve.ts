/**
 * `s3-index serve`: the RESP server and the HTTP API on one engine, until SIGINT/SIGTERM.
 *
 * It starts whole or not at all: the configuration is loaded and validated and the store opened before any port
 * opens, and when the second listener cannot open, or the restore that follows fails, the ports are closed again.
 * Either way the process exits non-zero after one line on stderr saying why.
 */
import { ConfigError, describeRedisTarget, loadServeConfig, parseRedisUrl, type ServeConfig } from '../config';
import { systemClock } from '../engine/clock';
import { provideDebugReload } from '../engine/commands/server/debug';
import { RuntimeConfig } from '../engine/commands/server/runtime-config';
import { serverStateOf } from '../engine/commands/server/server-state';
import { createApp } from '../http/app';
import { httpConfigOf } from '../http/config';
import { type HttpServerHandle, startHttpServer } from '../http/node-server';
import { StoreError } from '../persistence/blob-store';
import { CorruptError } from '../persistence/bytes';
import { FsBlobStore } from '../persistence/fs-store';
import { RdbError, reloadThroughRdb } from '../persistence/rdb/read';
import { RespServer } from '../server/server';
import { createEngine } from '../service/create-engine';
import type { ObjectIndex } from '../service/object-index';
import { openStore, Persistence } from '../service/persistence';
import { S3Index } from '../service/s3-index';
import { importAtStart, takeImportOptions } from './import';

export const SERVE_USAGE = `usage: s3-index serve [--host 127.0.0.1] [--resp-port 6380] [--http-port 8080] [--data-dir DIR]
                      [--store s3://BUCKET/PREFIX] [--s3-endpoint URL] [--s3-path-style true|false] [--save "3600 1 300 100 60 10000"]
                      [--appendfsync always|everysec|no] [--auto-snapshot-percentage 100]
                      [--auto-snapshot-min-size 64mb] [--auto-snapshot-max-segments 1000]
                      [--requirepass PASSWORD] [--maxclients N] [--proto-max-bulk-len 512mb]
                      [--client-query-buffer-limit 1gb]
                      [--redis-url redis://[USER:PASSWORD@]HOST:PORT | rediss://… | redis+cluster://HOST:PORT,…]
                      [--redis-cluster true|false] [--import FILE.rdb [--import-replace]]
--redis-url keeps the object index in that Redis, Valkey or ElastiCache server instead of the bundled engine, and
/redis runs its cache commands there (no --data-dir or --store then, and no RESP port: clients talk to that server).
environment: S3_INDEX_<FLAG> for each flag (S3_INDEX_REQUIREPASS, S3_INDEX_HTTP_PORT, ...), and for the HTTP API
             S3_INDEX_API_TOKENS, S3_INDEX_HTTP_MAX_BODY_BYTES, S3_INDEX_HTTP_MAX_PIPELINE, S3_INDEX_HTTP_CACHE_BYTES
A host other than loopback requires a password and API tokens.
--import adds the keys of a redis-server RDB file once the store is restored, before clients are served, and
commits a snapshot (as s3-index import; --import-replace overwrites keys the store already holds, else they refuse
the start). Meant for one start: a restart with it fails on the keys it imported.
`;

export interface RunningService {
  config: ServeConfig;
  /** undefined with --redis-url: RESP clients talk to that server */
  resp: RespServer | undefined;
  respPort: number | undefined;
  http: HttpServerHandle;
  httpPort: number;
  /** with a data directory: the store, the log and the snapshots */
  persistence: Persistence | undefined;
  /** the object index the HTTP API uses (durable with a store: an ingest resolves once committed) */
  index: ObjectIndex;
  /** stops serving; with persistence, flushes the log and writes a final snapshot (unless `snapshot: false`) */
  stop(opts?: { snapshot?: boolean }): Promise<void>;
}

/** The data directory or store cannot be used (unwritable, unreachable, damaged, from a newer version). */
export class StorageError extends Error {}

/** A port that could not be opened, said the way an operator fixes it ("HTTP port 8080 is in use"). */
export class ListenError extends Error {}

function listenError(what: 'RESP' | 'HTTP', host: string, port: number, err: unknown): ListenError {
  const because = (message: string) => new ListenError(message, { cause: err });
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return because(`${what} port ${port} is in use`);
    case 'EACCES':
      return because(`${what} port ${port} needs privileges this process does not have`);
    case 'EADDRNOTAVAIL':
      return because(`cannot listen on ${host}: not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return because(`cannot listen on ${host}: no such host`);
    default:
      return because(
        `cannot open the ${what} port ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`,
      );
  }
}

/**
 * Starts the service for a validated config (also used by tests and benchmarks) and resolves once it is ready.
 * Everything is built and the store opened before the first port opens; when the second cannot open, the first is
 * closed before this rejects. With a store, the ports open first and the state is restored after, like
 * redis-server: meanwhile RESP answers LOADING (but to the commands Redis flags `loading`: INFO, AUTH, HELLO, …)
 * and HTTP answers 503, so clients learn the server is up and wait. A failed restore closes both ports again and
 * rejects with a StorageError.
 */
export async function startService(
  config: ServeConfig,
  hooks: {
    log?: (line: string) => void;
    onFenced?: () => void;
    /** an RDB file whose keys are added once the store is restored, before clients are served */
    importRdb?: { file: string; replace?: boolean };
  } = {},
): Promise<RunningService> {
  provideDebugReload(reloadThroughRdb);
  const engine = createEngine();
  const state = serverStateOf(engine);
  const log = hooks.log ?? ((line: string) => process.stderr.write(`s3-index: ${line}\n`));
  let persistence: Persistence | undefined;
  /** removes the mark of a data directory this process serves (FsBlobStore.markServing) */
  let unmark: (() => Promise<void>) | undefined;
  try {
    const store = await openStore(
      {
        dataDir: config.dataDir,
        store: config.store,
        s3Endpoint: config.s3Endpoint,
        s3PathStyle: config.s3PathStyle,
      },
      log,
    );
    // an import or a direct client command then refuses to write behind this server's back
    if (store instanceof FsBlobStore) unmark = await store.markServing();
    if (store !== undefined)
      persistence = Persistence.create(engine, {
        store,
        policy: config.appendfsync,
        saveRules: config.save,
        autoSnapshot: {
          percentage: config.autoSnapshotPercentage,
          minSize: config.autoSnapshotMinSize,
          maxSegments: config.autoSnapshotMaxSegments,
        },
        log,
        onFenced: hooks.onFenced,
      });
  } catch (err) {
    throw storageError(err);
  }
  state.config = new RuntimeConfig({
    port: config.respPort,
    bind: config.host,
    requirepass: config.requirepass ?? '',
    maxclients: config.maxclients,
    'proto-max-bulk-len': config.protoMaxBulkLen,
    'client-query-buffer-limit': config.clientQueryBufferLimit,
    dir: config.dataDir ?? '',
  });
  if (persistence !== undefined) {
    state.persistence = persistence;
    state.loading = true;
  }
  const durable = persistence;
  if (hooks.importRdb !== undefined && config.redisUrl !== undefined)
    throw new StorageError('--import loads into the bundled engine: it does not go with --redis-url');
  const external = config.redisUrl !== undefined ? await connectExternalIndex(config, log) : undefined;
  const index =
    external?.index ?? (durable !== undefined ? durable.durableIndex(new S3Index(engine)) : new S3Index(engine));
  const durability = durable?.durabilityBarrier();
  const loading = durable && (() => (state.loading ? durable.loadingReport() : undefined));
  const remote = external?.remote;
  const app = createApp({
    engine,
    index,
    config: httpConfigOf(config),
    clock: systemClock,
    durability,
    loading,
    remote,
  });
  // RespServer logs every error of its socket; the one before it listens is the failed listen, which listen()
  // rejects with and which is reported once, below
  const resp =
    external === undefined
      ? new RespServer(engine, { log: (msg) => process.stderr.write(`s3-index: ${msg}\n`), durability })
      : undefined;
  let respPort: number | undefined;
  try {
    respPort = await resp?.listen(config.respPort, config.host);
  } catch (err) {
    external?.close();
    await unmark?.();
    throw listenError('RESP', config.host, config.respPort, err);
  }
  let http: HttpServerHandle;
  try {
    http = await startHttpServer(app, { host: config.host, port: config.httpPort });
  } catch (err) {
    await resp?.close();
    external?.close();
    await unmark?.();
    throw listenError('HTTP', config.host, config.httpPort, err);
  }
  if (persistence !== undefined) {
    log(
      `loading the dataset from ${persistence.storeDescription} ` +
        `(RESP port ${respPort} and HTTP port ${http.port} answer LOADING meanwhile)`,
    );
    try {
      const r = await persistence.restore();
      log(
        `DB loaded in ${(r.ms / 1000).toFixed(3)} seconds: restored ${r.keys} keys from the snapshot and ` +
          `${r.batchesReplayed} logged batches` +
          (r.damage !== undefined ? ` (the log was damaged: ${r.damage})` : ''),
      );
      if (hooks.importRdb !== undefined) await importAtStart(engine, hooks.importRdb, log, persistence);
    } catch (err) {
      await Promise.all([resp?.close(), http.close(), persistence.close({ snapshot: false }).catch(() => undefined)]);
      await unmark?.();
      throw storageError(err);
    } finally {
      state.loading = false;
    }
  } else if (hooks.importRdb !== undefined) {
    try {
      await importAtStart(engine, hooks.importRdb, log, undefined);
    } catch (err) {
      await Promise.all([resp?.close(), http.close()]);
      await unmark?.();
      throw storageError(err);
    }
  }
  return {
    config,
    resp,
    respPort,
    http,
    httpPort: http.port,
    persistence,
    index,
    stop: async (opts = {}) => {
      await Promise.all([resp?.close(), http.close()]);
      await persistence?.close(opts);
      await unmark?.();
      external?.close();
    },
  };
}

/**
 * `--redis-url`: the index in an external Redis (RedisIndex), once the server answers; a server that cannot be
 * reached within 10 s is a StorageError (one line, nothing opened).
 */
async function connectExternalIndex(
  config: ServeConfig,
  log: (line: string) => void,
): Promise<import('../service/external-index').ExternalIndex> {
  const { openExternalIndex } = await import('../service/external-index');
  const target = parseRedisUrl(config.redisUrl!, config.redisCluster);
  const where = describeRedisTarget(target);
  try {
    const external = await openExternalIndex(target);
    log(`the object index lives in ${where}`);
    return external;
  } catch (err) {
    throw new StorageError(`cannot reach the Redis server ${where}: ${(err as Error).message}`);
  }
}

/** The store's own failures (unreachable, damaged, newer format) as the one line `serve` prints; others rethrown. */
function storageError(err: unknown): unknown {
  if (err instanceof StoreError || err instanceof CorruptError || err instanceof RdbError)
    return new StorageError(err.message, { cause: err });
  return err;
}

/** What runs beside the service (`s3-index dev`'s S3 emulator): started once the service is, stopped before it. */
export interface ServiceAddon {
  /** lines printed once everything is up */
  banner: string;
  close(): Promise<void>;
}

/** An add-on's start-up failure that is the user's to fix (a port in use): one line, exit 1. */
export class AddonError extends Error {}

export async function serve(
  args: readonly string[],
  addon?: (service: RunningService) => Promise<ServiceAddon>,
  usage = SERVE_USAGE,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  let config: ServeConfig;
  let service: RunningService;
  let attached: ServiceAddon | undefined;
  // set once running: stops the service (another writer took over the store: no final snapshot, exit 1)
  let onFenced: () => void = () => undefined;
  try {
    const taken = takeImportOptions(args);
    config = loadServeConfig(taken.rest);
    service = await startService(config, { onFenced: () => onFenced(), importRdb: taken.importRdb });
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof ListenError || err instanceof StorageError)) throw err;
    // one line, no stack: the message names the setting or the port (and never a password or a token)
    process.stderr.write(`s3-index: ${err.message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  try {
    attached = await addon?.(service);
  } catch (err) {
    await service.stop({ snapshot: false });
    if (!(err instanceof AddonError)) throw err;
    process.stderr.write(`s3-index: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(
    service.respPort === undefined
      ? `s3-index: HTTP API on http://${config.host}:${service.httpPort} (no RESP port: the cache is the Redis server)\n`
      : `s3-index: RESP server listening on ${config.host}:${service.respPort}` +
          `${config.requirepass ? ' (password required)' : ''}; HTTP API on http://${config.host}:${service.httpPort}\n`,
  );
  if (attached !== undefined) process.stderr.write(attached.banner);
  let code = 0;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string, snapshot = true) => {
      // a repeated signal (Ctrl-C also reaches a child through its parent) must not cut the shutdown short
      if (stopping) return;
      stopping = true;
      process.stderr.write(
        `s3-index: ${why}, shutting down${service.persistence !== undefined && snapshot ? ' (saving a final snapshot)' : ''}\n`,
      );
      // the add-on first: what the emulator changed is ingested before the final snapshot
      (attached?.close() ?? Promise.resolve())
        .then(() => service.stop({ snapshot }))
        .then(finish, (err: unknown) => {
          process.stderr.write(`s3-index: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
          code = 1;
          finish();
        });
    };
    onFenced = () => {
      code = 1;
      // the requests that learned of it are answered first
      setTimeout(() => stop('another writer committed to the store', false), 100);
    };
    const onInt = () => stop('SIGINT received');
    const onTerm = () => stop('SIGTERM received');
    const finish = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve();
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return code;
}
