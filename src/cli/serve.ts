/**
 * `s3-index serve`: the RESP server and the HTTP API on one engine, until SIGINT/SIGTERM.
 *
 * It starts whole or not at all: the configuration is loaded and validated before any port opens, and when the
 * second listener cannot open, the first is closed again. Either way the process exits non-zero after one line on
 * stderr.
 */
import { ConfigError, loadServeConfig, type ServeConfig } from '../config';
import { systemClock } from '../engine/clock';
import { RuntimeConfig } from '../engine/commands/server/runtime-config';
import { serverStateOf } from '../engine/commands/server/server-state';
import { createApp } from '../http/app';
import { httpConfigOf } from '../http/config';
import { type HttpServerHandle, startHttpServer } from '../http/node-server';
import { RespServer } from '../server/server';
import { createEngine } from '../service/create-engine';
import { S3Index } from '../service/s3-index';

export const SERVE_USAGE = `usage: s3-index serve [--host 127.0.0.1] [--resp-port 6380] [--http-port 8080] [--data-dir DIR]
                      [--requirepass PASSWORD] [--maxclients N] [--proto-max-bulk-len 512mb]
                      [--client-query-buffer-limit 1gb]
environment: S3_INDEX_<FLAG> for each flag (S3_INDEX_REQUIREPASS, S3_INDEX_HTTP_PORT, ...), and for the HTTP API
             S3_INDEX_API_TOKENS, S3_INDEX_HTTP_MAX_BODY_BYTES, S3_INDEX_HTTP_MAX_PIPELINE, S3_INDEX_HTTP_CACHE_BYTES
A host other than loopback requires a password and API tokens.
`;

export interface RunningService {
  config: ServeConfig;
  resp: RespServer;
  respPort: number;
  http: HttpServerHandle;
  httpPort: number;
  stop(): Promise<void>;
}

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
 * Starts the service for a validated config (also used by tests and benchmarks). Everything is built before the
 * first port opens; when the second cannot open, the first is closed before this rejects.
 */
export async function startService(config: ServeConfig): Promise<RunningService> {
  const engine = createEngine();
  const state = serverStateOf(engine);
  state.config = new RuntimeConfig({
    port: config.respPort,
    bind: config.host,
    requirepass: config.requirepass ?? '',
    maxclients: config.maxclients,
    'proto-max-bulk-len': config.protoMaxBulkLen,
    'client-query-buffer-limit': config.clientQueryBufferLimit,
    dir: config.dataDir ?? '',
  });
  const app = createApp({ engine, index: new S3Index(engine), config: httpConfigOf(config), clock: systemClock });
  // RespServer logs every error of its socket; the one before it listens is the failed listen, which listen()
  // rejects with and which is reported once, below
  let listening = false;
  const resp = new RespServer(engine, {
    log: (msg) => {
      if (listening) process.stderr.write(`s3-index: ${msg}\n`);
    },
  });
  let respPort: number;
  try {
    respPort = await resp.listen(config.respPort, config.host);
    listening = true;
  } catch (err) {
    throw listenError('RESP', config.host, config.respPort, err);
  }
  let http: HttpServerHandle;
  try {
    http = await startHttpServer(app, { host: config.host, port: config.httpPort });
  } catch (err) {
    await resp.close();
    throw listenError('HTTP', config.host, config.httpPort, err);
  }
  return {
    config,
    resp,
    respPort,
    http,
    httpPort: http.port,
    stop: async () => {
      await Promise.all([resp.close(), http.close()]);
    },
  };
}

export async function serve(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  let config: ServeConfig;
  let service: RunningService;
  try {
    config = loadServeConfig(args);
    service = await startService(config);
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof ListenError)) throw err;
    // one line, no stack: the message names the setting or the port (and never a password or a token)
    process.stderr.write(`s3-index: ${err.message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  process.stderr.write(
    `s3-index: RESP server listening on ${config.host}:${service.respPort}` +
      `${config.requirepass ? ' (password required)' : ''}; HTTP API on http://${config.host}:${service.httpPort}\n`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // a repeated signal (Ctrl-C also reaches a child through its parent) must not cut the shutdown short
      if (stopping) return;
      stopping = true;
      process.stderr.write(`s3-index: ${signal} received, shutting down\n`);
      service.stop().then(finish, finish);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    const finish = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve();
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}
