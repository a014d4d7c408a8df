/**
 * The HTTP app's configuration: tokens and limits. Their environment variables, defaults and validation are rows of
 * the one configuration table in src/config.ts; this turns those settings into the app's shape.
 */
import { DEFAULTS, type HttpSettings, loadHttpSettings } from '../config';
import type { ApiToken } from './auth';

export interface HttpLimits {
  /** largest accepted request body (JSON for /redis and /v1/events), bytes */
  readonly maxBodyBytes: number;
  /** most commands in one /redis/pipeline or /redis/multi-exec request */
  readonly maxPipelineCommands: number;
  /** largest `max-keys` the JSON listing accepts (the /s3 endpoint always caps at 1000, like S3) */
  readonly maxListKeys: number;
  /** memory for cached listing/stats responses (valid until the next write to the engine); 0 disables */
  readonly responseCacheBytes: number;
}

export interface HttpConfig {
  readonly tokens: readonly ApiToken[];
  readonly limits: HttpLimits;
}

export const DEFAULT_LIMITS: HttpLimits = Object.freeze({
  maxBodyBytes: DEFAULTS.httpMaxBodyBytes,
  maxPipelineCommands: DEFAULTS.httpMaxPipeline,
  maxListKeys: 10_000,
  responseCacheBytes: DEFAULTS.httpCacheBytes,
});

export function httpConfig(partial: { tokens?: readonly ApiToken[]; limits?: Partial<HttpLimits> } = {}): HttpConfig {
  return { tokens: partial.tokens ?? [], limits: { ...DEFAULT_LIMITS, ...partial.limits } };
}

/** The app's configuration from validated settings (`loadServeConfig` or `loadHttpSettings`). */
export function httpConfigOf(settings: HttpSettings): HttpConfig {
  return httpConfig({
    tokens: settings.apiTokens,
    limits: {
      maxBodyBytes: settings.httpMaxBodyBytes,
      maxPipelineCommands: settings.httpMaxPipeline,
      responseCacheBytes: settings.httpCacheBytes,
    },
  });
}

/**
 * Reads `S3_INDEX_API_TOKENS` (see auth.ts for the format), `S3_INDEX_HTTP_MAX_BODY_BYTES`,
 * `S3_INDEX_HTTP_MAX_PIPELINE` and `S3_INDEX_HTTP_CACHE_BYTES` (0 = no response cache). Throws a ConfigError on
 * malformed values.
 */
export function httpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  return httpConfigOf(loadHttpSettings(env));
}
