/**
 * The one typed configuration loader: command-line flags over environment variables over defaults, validated
 * into a ServeConfig. Invalid input is a ConfigError with a message meant for the operator.
 *
 *   flag                      env                          default
 *   --host H                  S3_INDEX_HOST                127.0.0.1
 *   --resp-port N             S3_INDEX_RESP_PORT           6380
 *   --http-port N             S3_INDEX_HTTP_PORT           8080
 *   --data-dir DIR            S3_INDEX_DATA_DIR            (none: memory only)
 *   --requirepass P           S3_INDEX_REQUIREPASS         (none)
 *   --maxclients N            S3_INDEX_MAXCLIENTS          10000
 *   --proto-max-bulk-len B    S3_INDEX_PROTO_MAX_BULK_LEN  512mb
 *   --client-query-buffer-limit B  S3_INDEX_CLIENT_QUERY_BUFFER_LIMIT  1gb
 *
 * Like Redis's protected mode, a non-loopback address without a password is refused.
 */
import { parseMemory } from './engine/commands/server/runtime-config';

export interface ServeConfig {
  host: string;
  respPort: number;
  httpPort: number;
  dataDir: string | undefined;
  /** never logged */
  requirepass: string | undefined;
  maxclients: number;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
}

export class ConfigError extends Error {}

interface Option {
  flag: string;
  env: string;
  key: keyof ServeConfig;
  parse: (raw: string, name: string) => ServeConfig[keyof ServeConfig];
}

function port(raw: string, name: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError(`${name}: '${raw}' is not a port number`);
  return Number(raw);
}

function positiveInt(raw: string, name: string): number {
  if (!/^[1-9]\d*$/.test(raw)) throw new ConfigError(`${name}: '${raw}' is not a positive integer`);
  return Number(raw);
}

function memory(min: number) {
  return (raw: string, name: string): number => {
    const n = parseMemory(raw);
    if (n === undefined || n < min) throw new ConfigError(`${name}: '${raw}' is not a size of at least ${min} bytes`);
    return n;
  };
}

const text = (raw: string): string => raw;

const OPTIONS: readonly Option[] = [
  { flag: '--host', env: 'S3_INDEX_HOST', key: 'host', parse: text },
  { flag: '--resp-port', env: 'S3_INDEX_RESP_PORT', key: 'respPort', parse: port },
  { flag: '--http-port', env: 'S3_INDEX_HTTP_PORT', key: 'httpPort', parse: port },
  { flag: '--data-dir', env: 'S3_INDEX_DATA_DIR', key: 'dataDir', parse: text },
  { flag: '--requirepass', env: 'S3_INDEX_REQUIREPASS', key: 'requirepass', parse: text },
  { flag: '--maxclients', env: 'S3_INDEX_MAXCLIENTS', key: 'maxclients', parse: positiveInt },
  { flag: '--proto-max-bulk-len', env: 'S3_INDEX_PROTO_MAX_BULK_LEN', key: 'protoMaxBulkLen', parse: memory(1 << 20) },
  {
    flag: '--client-query-buffer-limit',
    env: 'S3_INDEX_CLIENT_QUERY_BUFFER_LIMIT',
    key: 'clientQueryBufferLimit',
    parse: memory(1 << 20),
  },
];

export const DEFAULTS: ServeConfig = {
  host: '127.0.0.1',
  respPort: 6380,
  httpPort: 8080,
  dataDir: undefined,
  requirepass: undefined,
  maxclients: 10000,
  protoMaxBulkLen: 512 * 1024 * 1024,
  clientQueryBufferLimit: 1024 * 1024 * 1024,
};

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Parses `serve` flags (`--flag value` or `--flag=value`) and the environment into a validated config. */
export function loadServeConfig(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const cfg: ServeConfig = { ...DEFAULTS };
  const set = (o: Option, raw: string, name: string) => {
    (cfg as unknown as Record<string, unknown>)[o.key] = o.parse(raw, name);
  };
  for (const o of OPTIONS) {
    const raw = env[o.env];
    if (raw !== undefined && raw !== '') set(o, raw, o.env);
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const o = OPTIONS.find((x) => x.flag === flag);
    if (!o) throw new ConfigError(`unknown option '${flag}'`);
    let raw: string | undefined;
    if (eq > 0) raw = a.slice(eq + 1);
    else {
      raw = args[i + 1];
      i++;
    }
    if (raw === undefined) throw new ConfigError(`${flag} needs a value`);
    set(o, raw, flag);
  }
  if (cfg.requirepass === '') cfg.requirepass = undefined;
  if (!isLoopback(cfg.host) && cfg.requirepass === undefined) {
    throw new ConfigError(
      `refusing to listen on ${cfg.host} without a password (protected mode): set --requirepass or ` +
        'S3_INDEX_REQUIREPASS, or bind 127.0.0.1',
    );
  }
  return cfg;
}
