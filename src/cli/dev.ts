/**
 * `s3-index dev` (what `npm start` runs): `serve` with its state kept in `.s3-index/data`, plus a local S3 (s3rver,
 * src/local/emulator.ts) on 127.0.0.1:4569 whose every change is ingested as the S3 event EventBridge would deliver
 * (same code path as production: src/ingest). Put an object with the AWS CLI or SDK and it is listed by the index.
 */
import path from 'node:path';
import { type EmulatorOptions, startEmulator } from '../local/emulator';
import { AddonError, type RunningService, SERVE_USAGE, type ServiceAddon, serve } from './serve';

export const DEV_USAGE = `usage: s3-index dev [--emulator-port 4569] [--emulator-dir .s3-index/s3] [--bucket demo ...] [--no-emulator]
                    [every option of serve; --data-dir defaults to .s3-index/data]
environment: S3_INDEX_EMULATOR_PORT, S3_INDEX_EMULATOR_DIR, S3_INDEX_BUCKETS (comma-separated), S3_INDEX_EMULATOR=off
Starts serve and a local S3 (s3rver) whose puts, copies, multipart completions and deletes are indexed as they happen.

${SERVE_USAGE}`;

export interface DevOptions {
  emulator: boolean;
  port: number;
  directory: string;
  buckets: string[];
  /** the arguments left for serve */
  serveArgs: string[];
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Splits dev's own options from serve's, with their environment variables and defaults. */
export function parseDevArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): DevOptions {
  const out: DevOptions = {
    emulator: env.S3_INDEX_EMULATOR !== 'off',
    port: Number(env.S3_INDEX_EMULATOR_PORT ?? 4569),
    directory: env.S3_INDEX_EMULATOR_DIR ?? path.join('.s3-index', 's3'),
    buckets: (env.S3_INDEX_BUCKETS ?? '').split(',').filter((b) => b !== ''),
    serveArgs: [],
  };
  const fromFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const value = (): string => {
      if (eq >= 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new AddonError(`${name} needs a value`);
      return v;
    };
    if (name === '--no-emulator') out.emulator = false;
    else if (name === '--emulator-port') out.port = Number(value());
    else if (name === '--emulator-dir') out.directory = value();
    else if (name === '--bucket') fromFlags.push(value());
    else out.serveArgs.push(a);
  }
  if (fromFlags.length > 0) out.buckets = fromFlags;
  if (out.buckets.length === 0) out.buckets = ['demo'];
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535)
    throw new AddonError(`--emulator-port must be a port number (0-65535)`);
  for (const b of out.buckets)
    if (!BUCKET_NAME.test(b)) throw new AddonError(`--bucket ${JSON.stringify(b)} is not a valid S3 bucket name`);
  // the index elsewhere (a store, or an external Redis with --redis-url): no default data directory
  const hasStore = out.serveArgs.some((a) => /^--(data-dir|store|redis-url)(=|$)/.test(a));
  const envStore = env.S3_INDEX_DATA_DIR ?? env.S3_INDEX_STORE ?? env.S3_INDEX_REDIS_URL;
  if (!hasStore && envStore === undefined) out.serveArgs.push('--data-dir', path.join('.s3-index', 'data'));
  return out;
}

function banner(service: RunningService, endpoint: string | undefined, opts: DevOptions): string {
  const host = service.config.host;
  const http = `http://${host}:${service.httpPort}`;
  const lines = [
    '',
    `  HTTP API      ${http}`,
    `  browse        ${http}/ui`,
    service.respPort === undefined
      ? '  RESP          none: the index and the cache are in the Redis server of --redis-url'
      : `  RESP          redis-cli -p ${service.respPort}`,
    `  index data    ${service.config.dataDir ?? service.config.store ?? (service.respPort === undefined ? 'the Redis server' : '(memory)')}`,
  ];
  if (endpoint === undefined) {
    lines.push('  S3 emulator   off (--no-emulator): feed events with POST /v1/events or `s3-index ingest`', '');
    return `${lines.join('\n')}\n`;
  }
  const b = opts.buckets[0]!;
  const aws = `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --endpoint-url ${endpoint} --region us-east-1`;
  lines.push(
    `  S3 emulator   ${endpoint}   buckets: ${opts.buckets.join(', ')}   objects in ${opts.directory}`,
    '',
    'Try:',
    `  echo hello > hello.txt && ${aws} s3 cp hello.txt s3://${b}/docs/hello.txt`,
    `  curl -s '${http}/v1/buckets/${b}/objects?delimiter=/'`,
    ...(service.respPort === undefined
      ? []
      : [`  redis-cli -p ${service.respPort} zrangebylex 's3idx:{${b}}:keys' - +`]),
    `  ${aws} s3 ls s3://${b} --recursive     # the emulator itself`,
    `  AWS_ACCESS_KEY_ID=any AWS_SECRET_ACCESS_KEY=any aws s3 ls s3://${b} --recursive --endpoint-url ${http}/s3 --region us-east-1   # from the index`,
    'Ctrl-C stops both; the index and the objects are kept for the next start.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

export async function dev(args: readonly string[]): Promise<number> {
  let opts: DevOptions;
  try {
    opts = parseDevArgs(args);
  } catch (err) {
    if (!(err instanceof AddonError)) throw err;
    process.stderr.write(`s3-index: ${err.message}\n`);
    return 2;
  }
  const addon = async (service: RunningService): Promise<ServiceAddon> => {
    if (!opts.emulator) return { banner: banner(service, undefined, opts), close: async () => undefined };
    const log = (line: string) => process.stderr.write(`s3-index: ${line}\n`);
    const emulatorOpts: EmulatorOptions = {
      // loopback whatever serve's host: the emulator takes any credentials
      host: '127.0.0.1',
      port: opts.port,
      directory: opts.directory,
      buckets: opts.buckets,
      log,
      onEvents: async (events) => {
        const outcome = await service.index.ingest(events);
        for (const r of outcome.rejected.slice(0, 3)) log(`emulator: an event was rejected: ${r.reason}`);
      },
    };
    let emulator: Awaited<ReturnType<typeof startEmulator>>;
    try {
      emulator = await startEmulator(emulatorOpts);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new AddonError(`the S3 emulator's port ${opts.port} is in use (--emulator-port, or --no-emulator)`);
      throw new AddonError(`the S3 emulator could not start: ${(err as Error).message}`);
    }
    return { banner: banner(service, emulator.endpoint, opts), close: () => emulator.close() };
  };
  return serve(opts.serveArgs, addon, DEV_USAGE);
}
