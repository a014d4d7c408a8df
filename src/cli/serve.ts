/** `s3-index serve`: the RESP server and the HTTP API on one engine, until SIGINT/SIGTERM. */
import { ConfigError, loadServeConfig, type ServeConfig } from '../config';
import { systemClock } from '../engine/clock';
import { RuntimeConfig } from '../engine/commands/server/runtime-config';
import { serverStateOf } from '../engine/commands/server/server-state';
import { createApp } from '../http/app';
import { httpConfigFromEnv } from '../http/config';
import { type HttpServerHandle, startHttpServer } from '../http/node-server';
import { RespServer } from '../server/server';
import { createEngine } from '../service/create-engine';

export const SERVE_USAGE = `usage: s3-index serve [--host 127.0.0.1] [--resp-port 6380] [--http-port 8080] [--data-dir DIR]
                      [--requirepass PASSWORD] [--maxclients N]
environment: S3_INDEX_REQUIREPASS (and S3_INDEX_HOST, S3_INDEX_RESP_PORT, S3_INDEX_HTTP_PORT, S3_INDEX_DATA_DIR)
A host other than loopback requires a password.
`;

export interface RunningService {
  config: ServeConfig;
  resp: RespServer;
  respPort: number;
  http: HttpServerHandle;
  httpPort: number;
  stop(): Promise<void>;
}

/** Starts the service for a validated config (also used by tests and benchmarks). */
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
  const resp = new RespServer(engine);
  const respPort = await resp.listen(config.respPort, config.host);
  const app = createApp({ engine, config: httpConfigFromEnv(), clock: systemClock });
  let http: HttpServerHandle;
  try {
    http = await startHttpServer(app, { host: config.host, port: config.httpPort });
  } catch (err) {
    await resp.close();
    throw err;
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
  try {
    config = loadServeConfig(args);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`s3-index serve: ${err.message}\n${SERVE_USAGE}`);
      return 2;
    }
    throw err;
  }
  const service = await startService(config);
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
