/**
 * The one typed configuration loader: command-line flags over environment variables over defaults, validated
 * into a ServeConfig. Invalid input is a ConfigError with a message meant for the operator, which never repeats a
 * password or a token. `serve` loads the whole configuration before it opens any port.
 *
 *   flag                      env                          default
 *   --host H                  S3_INDEX_HOST                127.0.0.1
 *   --resp-port N             S3_INDEX_RESP_PORT           6380
 *   --http-port N             S3_INDEX_HTTP_PORT           8080
 *   --data-dir DIR            S3_INDEX_DATA_DIR            (none: memory only)  snapshots and log in DIR
 *   --store s3://B/PREFIX     S3_INDEX_STORE               (none)  snapshots and log in S3 (AWS_ENDPOINT_URL_S3 for others)
 *   --s3-endpoint URL         S3_INDEX_S3_ENDPOINT         (AWS_ENDPOINT_URL_S3, else AWS S3)  an S3-compatible server
 *   --s3-path-style BOOL      S3_INDEX_S3_PATH_STYLE       true with an endpoint, else false
 *   --save "SECS CHANGES …"   S3_INDEX_SAVE                3600 1 300 100 60 10000 ("": no automatic snapshots)
 *   --appendfsync POLICY      S3_INDEX_APPENDFSYNC         everysec (always | everysec | no)
 *   --auto-snapshot-percentage N   S3_INDEX_AUTO_SNAPSHOT_PERCENTAGE   100 (log bytes as % of the snapshot's; 0: off)
 *   --auto-snapshot-min-size B     S3_INDEX_AUTO_SNAPSHOT_MIN_SIZE     64mb (… and the log larger than this)
 *   --auto-snapshot-max-segments N S3_INDEX_AUTO_SNAPSHOT_MAX_SEGMENTS 1000 (or more log segments than this; 0: off)
 *   --redis-url URL           S3_INDEX_REDIS_URL           (none: the bundled engine)  the index in an external Redis,
 *                                                          Valkey or ElastiCache (service/redis-client.ts for the forms)
 *   --redis-cluster BOOL      S3_INDEX_REDIS_CLUSTER       false  that URL names a cluster's seed nodes
 *   --requirepass P           S3_INDEX_REQUIREPASS         (none)
 *   --maxclients N            S3_INDEX_MAXCLIENTS          10000
 *   --proto-max-bulk-len B    S3_INDEX_PROTO_MAX_BULK_LEN  512mb
 *   --client-query-buffer-limit B  S3_INDEX_CLIENT_QUERY_BUFFER_LIMIT  1gb
 *   (environment only)        S3_INDEX_API_TOKENS          (none: open API)   see http/auth.ts for the format
 *   (environment only)        S3_INDEX_HTTP_MAX_BODY_BYTES 5242880 (5 MiB)
 *   (environment only)        S3_INDEX_HTTP_MAX_PIPELINE   10000 commands
 *   (environment only)        S3_INDEX_HTTP_CACHE_BYTES    67108864 (64 MiB; 0 disables the response cache)
 *
 * Tokens have no flag because a command line is visible to every user of the machine (`ps`). Like Redis's
 * protected mode, a non-loopback address is refused without a password (RESP) and without API tokens (HTTP).
 */
import { parseMemory } from './engine/commands/server/runtime-config';
import { type ApiToken, parseApiTokens } from './http/auth';
import { DEFAULT_SAVE_RULES, parseSaveRules, type SaveRule } from './persistence/save-rules';
import type { FsyncPolicy } from './persistence/write-log';

export interface ServeConfig {
  host: string;
  respPort: number;
  httpPort: number;
  dataDir: string | undefined;
  /** s3://bucket/prefix: the store (the data directory is then unused) */
  store: string | undefined;
  /** an S3-compatible server's URL for the store (default: AWS_ENDPOINT_URL_S3, else AWS S3) */
  s3Endpoint: string | undefined;
  /** path-style S3 URLs (default: on when an endpoint is given) */
  s3PathStyle: boolean | undefined;
  /** automatic snapshots (with a data directory) */
  save: readonly SaveRule[];
  /** when cache writes are made durable (ingest batches always are) */
  appendfsync: FsyncPolicy;
  /**
   * a snapshot once the log since the last one exceeds this % of its size (0: never by size) and
   * `autoSnapshotMinSize` bytes, or once it has more than `autoSnapshotMaxSegments` segments (0: no bound)
   */
  autoSnapshotPercentage: number;
  autoSnapshotMinSize: number;
  autoSnapshotMaxSegments: number;
  /** the index in this external Redis (never logged whole: it may hold a password) */
  redisUrl: string | undefined;
  redisCluster: boolean;
  /** never logged */
  requirepass: string | undefined;
  maxclients: number;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  /** never logged */
  apiTokens: readonly ApiToken[];
  httpMaxBodyBytes: number;
  httpMaxPipeline: number;
  /** 0: no response cache */
  httpCacheBytes: number;
}

/** The settings of the HTTP app alone (what the Lambda handler reads: it has no ports and no RESP server). */
const HTTP_KEYS = ['apiTokens', 'httpMaxBodyBytes', 'httpMaxPipeline', 'httpCacheBytes'] as const;
export type HttpSettings = Pick<ServeConfig, (typeof HTTP_KEYS)[number]>;

export class ConfigError extends Error {}

interface Option {
  /** undefined: set by the environment only */
  flag?: string;
  env: string;
  key: keyof ServeConfig;
  parse: (raw: string, name: string) => ServeConfig[keyof ServeConfig];
}

function port(raw: string, name: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError(`${name}: '${raw}' is not a port number`);
  return Number(raw);
}

function positiveInt(raw: string, name: string): number {
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`${name}: '${raw}' is not a positive integer`);
  }
  return Number(raw);
}

function zeroOrPositiveInt(raw: string, name: string): number {
  return raw === '0' ? 0 : positiveInt(raw, name);
}

function memory(min: number) {
  return (raw: string, name: string): number => {
    const n = parseMemory(raw);
    if (n === undefined || n < min)
      throw new ConfigError(
        `${name}: '${raw}' is not a size${min > 0 ? ` of at least ${min} bytes` : ' (bytes, or e.g. 64mb, 1gb)'}`,
      );
    return n;
  };
}

const text = (raw: string): string => raw;

function s3Url(raw: string, name: string): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(raw))
    throw new ConfigError(`${name}: '${raw}' is not an s3://bucket/prefix URL`);
  return raw;
}

function httpUrl(raw: string, name: string): string {
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.host === '')
    throw new ConfigError(`${name}: '${raw}' is not an http:// or https:// URL`);
  return raw;
}

function bool(raw: string, name: string): boolean {
  if (/^(true|yes|1|on)$/i.test(raw)) return true;
  if (/^(false|no|0|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}: '${raw}' is not true or false`);
}

function saveRules(raw: string, name: string): readonly SaveRule[] {
  const rules = parseSaveRules(raw);
  if (rules === undefined)
    throw new ConfigError(`${name}: '${raw}' is not a list of "SECONDS CHANGES" pairs (e.g. "3600 1 300 100")`);
  return rules;
}

function fsyncPolicy(raw: string, name: string): FsyncPolicy {
  if (raw !== 'always' && raw !== 'everysec' && raw !== 'no')
    throw new ConfigError(`${name}: '${raw}' is not one of always, everysec, no`);
  return raw;
}

/**
 * `S3_INDEX_API_TOKENS` through http/auth.ts, which owns the format. Its message is passed on with every would-be
 * token of the value masked, so a typo in the configuration never prints a working token into a log.
 */
function apiTokens(raw: string, name: string): readonly ApiToken[] {
  try {
    return parseApiTokens(raw);
  } catch (err) {
    let message = err instanceof Error ? err.message : String(err);
    if (!message.startsWith(name)) message = `${name}: ${message}`;
    for (const entry of raw.split(',')) {
      const secret = entry.slice(entry.indexOf(':') + 1).trim();
      // shorter than 4 characters is no secret, and masking it could garble the message's own words
      if (secret.length >= 4) message = message.split(secret).join('<token>');
    }
    throw new ConfigError(message);
  }
}

/** A --redis-url, checked (service/redis-client.ts); the message never repeats the URL (it may hold a password). */
function parseRedisUrlChecked(raw: string, cluster: boolean, name = '--redis-url'): void {
  try {
    parseRedisUrl(raw, cluster);
  } catch (err) {
    throw new ConfigError(`${name} ${(err as Error).message}`);
  }
}

function redisUrl(raw: string, name: string): string {
  parseRedisUrlChecked(raw, true, name);
  return raw;
}

const OPTIONS: readonly Option[] = [
  { flag: '--host', env: 'S3_INDEX_HOST', key: 'host', parse: text },
  { flag: '--resp-port', env: 'S3_INDEX_RESP_PORT', key: 'respPort', parse: port },
  { flag: '--http-port', env: 'S3_INDEX_HTTP_PORT', key: 'httpPort', parse: port },
  { flag: '--data-dir', env: 'S3_INDEX_DATA_DIR', key: 'dataDir', parse: text },
  { flag: '--store', env: 'S3_INDEX_STORE', key: 'store', parse: s3Url },
  { flag: '--s3-endpoint', env: 'S3_INDEX_S3_ENDPOINT', key: 's3Endpoint', parse: httpUrl },
  { flag: '--s3-path-style', env: 'S3_INDEX_S3_PATH_STYLE', key: 's3PathStyle', parse: bool },
  { flag: '--save', env: 'S3_INDEX_SAVE', key: 'save', parse: saveRules },
  { flag: '--appendfsync', env: 'S3_INDEX_APPENDFSYNC', key: 'appendfsync', parse: fsyncPolicy },
  {
    flag: '--auto-snapshot-percentage',
    env: 'S3_INDEX_AUTO_SNAPSHOT_PERCENTAGE',
    key: 'autoSnapshotPercentage',
    parse: zeroOrPositiveInt,
  },
  {
    flag: '--auto-snapshot-min-size',
    env: 'S3_INDEX_AUTO_SNAPSHOT_MIN_SIZE',
    key: 'autoSnapshotMinSize',
    parse: memory(0),
  },
  {
    flag: '--auto-snapshot-max-segments',
    env: 'S3_INDEX_AUTO_SNAPSHOT_MAX_SEGMENTS',
    key: 'autoSnapshotMaxSegments',
    parse: zeroOrPositiveInt,
  },
  { flag: '--redis-url', env: 'S3_INDEX_REDIS_URL', key: 'redisUrl', parse: redisUrl },
  { flag: '--redis-cluster', env: 'S3_INDEX_REDIS_CLUSTER', key: 'redisCluster', parse: bool },
  { flag: '--requirepass', env: 'S3_INDEX_REQUIREPASS', key: 'requirepass', parse: text },
  { flag: '--maxclients', env: 'S3_INDEX_MAXCLIENTS', key: 'maxclients', parse: positiveInt },
  { flag: '--proto-max-bulk-len', env: 'S3_INDEX_PROTO_MAX_BULK_LEN', key: 'protoMaxBulkLen', parse: memory(1 << 20) },
  {
    flag: '--client-query-buffer-limit',
    env: 'S3_INDEX_CLIENT_QUERY_BUFFER_LIMIT',
    key: 'clientQueryBufferLimit',
    parse: memory(1 << 20),
  },
  { env: 'S3_INDEX_API_TOKENS', key: 'apiTokens', parse: apiTokens },
  { env: 'S3_INDEX_HTTP_MAX_BODY_BYTES', key: 'httpMaxBodyBytes', parse: positiveInt },
  { env: 'S3_INDEX_HTTP_MAX_PIPELINE', key: 'httpMaxPipeline', parse: positiveInt },
  { env: 'S3_INDEX_HTTP_CACHE_BYTES', key: 'httpCacheBytes', parse: zeroOrPositiveInt },
];

export const DEFAULTS: ServeConfig = Object.freeze({
  host: '127.0.0.1',
  respPort: 6380,
  httpPort: 8080,
  dataDir: undefined,
  store: undefined,
  s3Endpoint: undefined,
  s3PathStyle: undefined,
  save: parseSaveRules(DEFAULT_SAVE_RULES)!,
  appendfsync: 'everysec',
  autoSnapshotPercentage: 100,
  autoSnapshotMinSize: 64 * 1024 * 1024,
  autoSnapshotMaxSegments: 1000,
  redisUrl: undefined,
  redisCluster: false,
  requirepass: undefined,
  maxclients: 10000,
  protoMaxBulkLen: 512 * 1024 * 1024,
  clientQueryBufferLimit: 1024 * 1024 * 1024,
  apiTokens: [],
  httpMaxBodyBytes: 5 * 1024 * 1024,
  httpMaxPipeline: 10_000,
  httpCacheBytes: 64 * 1024 * 1024,
});

/** True for addresses only this machine can reach (the one loopback check: RESP, HTTP and the Node server). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

function set(cfg: ServeConfig, o: Option, raw: string, name: string): void {
  (cfg as unknown as Record<string, unknown>)[o.key] = o.parse(raw, name);
}

/** Applies the environment variables of `options` (an empty value counts as unset). */
function fromEnv(cfg: ServeConfig, options: readonly Option[], env: NodeJS.ProcessEnv): void {
  for (const o of options) {
    const raw = env[o.env];
    if (raw !== undefined && raw !== '') set(cfg, o, raw, o.env);
  }
}

/**
 * Parses `serve` flags (`--flag value` or `--flag=value`) and the environment into a validated config: every
 * setting, and how they fit together, so that `serve` never stops half-started on a bad value.
 */
export function loadServeConfig(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const cfg: ServeConfig = { ...DEFAULTS };
  fromEnv(cfg, OPTIONS, env);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const o = OPTIONS.find((x) => x.flag !== undefined && x.flag === flag);
    // the flag only: what follows '=' may be a password
    if (!o) throw new ConfigError(`unknown option '${flag}' (s3-index serve --help lists them)`);
    let raw: string | undefined;
    if (eq > 0) raw = a.slice(eq + 1);
    else {
      raw = args[i + 1];
      i++;
    }
    if (raw === undefined) throw new ConfigError(`${flag} needs a value`);
    set(cfg, o, raw, flag);
  }
  if (cfg.requirepass === '') cfg.requirepass = undefined;
  if (!isLoopback(cfg.host) && cfg.requirepass === undefined) {
    throw new ConfigError(
      `refusing to listen on ${cfg.host} without a password (protected mode): set --requirepass or ` +
        'S3_INDEX_REQUIREPASS, or bind 127.0.0.1',
    );
  }
  if (!isLoopback(cfg.host) && cfg.apiTokens.length === 0) {
    throw new ConfigError(
      `refusing to serve the HTTP API on ${cfg.host} without authentication: set S3_INDEX_API_TOKENS, or bind 127.0.0.1`,
    );
  }
  if (cfg.redisUrl !== undefined) {
    parseRedisUrlChecked(cfg.redisUrl, cfg.redisCluster);
    if (cfg.dataDir !== undefined || cfg.store !== undefined)
      throw new ConfigError(
        `--redis-url keeps the index in that server: ${cfg.dataDir !== undefined ? '--data-dir' : '--store'} would hold nothing (give one or the other)`,
      );
  }
  if (cfg.respPort === cfg.httpPort && cfg.respPort !== 0) {
    throw new ConfigError(`the RESP and the HTTP port are both ${cfg.respPort}: give them different ports`);
  }
  return cfg;
}

/** The HTTP app's settings from the environment alone (the Lambda handler), validated like `serve`'s. */
export function loadHttpSettings(env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const cfg: ServeConfig = { ...DEFAULTS };
  fromEnv(
    cfg,
    OPTIONS.filter((o) => (HTTP_KEYS as readonly string[]).includes(o.key)),
    env,
  );
  const { apiTokens, httpMaxBodyBytes, httpMaxPipeline, httpCacheBytes } = cfg;
  return { apiTokens, httpMaxBodyBytes, httpMaxPipeline, httpCacheBytes };
}

// ---- --redis-url ----------------------------------------------------------------------------------------------
//
//   redis://[user:password@]host:port[/db]     one server
//   rediss://…                                  the same over TLS
//   redis+cluster://[user:password@]host:port[,host:port…]   a cluster, from its seed nodes (or --redis-cluster with
//                                               redis:// / rediss://; rediss+cluster:// for TLS)

export interface RedisTarget {
  cluster: boolean;
  tls: boolean;
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  db: number;
}

/** Parses a --redis-url; the message of a bad one never repeats its password. */
export function parseRedisUrl(raw: string, forceCluster = false): RedisTarget {
  const m = /^(redis|rediss)(\+cluster)?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/(\d+))?\/?$/.exec(raw);
  if (!m)
    throw new Error(
      'must look like redis://[user:password@]host:port[/db], rediss://…, or redis+cluster://host:port,host:port',
    );
  const [, scheme, cluster, user, pass, hosts, db] = m;
  const nodes = hosts!.split(',').map((h) => {
    const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
    const port = Number(hm?.[2] ?? 6379);
    if (!hm || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`a bad host:port in its host list`);
    return { host: hm[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
  const isCluster = cluster !== undefined || forceCluster;
  if (!isCluster && nodes.length > 1) throw new Error('names several hosts: use redis+cluster:// (or --redis-cluster)');
  if (isCluster && db !== undefined && db !== '0') throw new Error('a cluster has only database 0');
  return {
    cluster: isCluster,
    tls: scheme === 'rediss',
    nodes,
    username: user ? decodeURIComponent(user) : undefined,
    password: pass !== undefined ? decodeURIComponent(pass) : undefined,
    db: Number(db ?? 0),
  };
}

/** The target as an operator may see it in a log: no password. */
export function describeRedisTarget(t: RedisTarget): string {
  const who = t.username ? `${t.username}@` : t.password !== undefined ? '(password)@' : '';
  const scheme = `${t.tls ? 'rediss' : 'redis'}${t.cluster ? '+cluster' : ''}`;
  return `${scheme}://${who}${t.nodes.map((n) => `${n.host}:${n.port}`).join(',')}${t.db ? `/${t.db}` : ''}`;
}
