/** The HTTP app's configuration: tokens and limits, with defaults, and how to read them from the environment. */
import { type ApiToken, parseApiTokens } from './auth';

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
  maxBodyBytes: 5 * 1024 * 1024,
  maxPipelineCommands: 10_000,
  maxListKeys: 10_000,
  responseCacheBytes: 64 * 1024 * 1024,
});

export function httpConfig(partial: { tokens?: readonly ApiToken[]; limits?: Partial<HttpLimits> } = {}): HttpConfig {
  return { tokens: partial.tokens ?? [], limits: { ...DEFAULT_LIMITS, ...partial.limits } };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return Number(raw);
}

/**
 * Reads `S3_INDEX_API_TOKENS` (see auth.ts for the format), `S3_INDEX_HTTP_MAX_BODY_BYTES`,
 * `S3_INDEX_HTTP_MAX_PIPELINE` and `S3_INDEX_HTTP_CACHE_BYTES` (0 = no response cache). Throws on malformed values.
 */
export function httpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  return httpConfig({
    tokens: parseApiTokens(env.S3_INDEX_API_TOKENS),
    limits: {
      maxBodyBytes: positiveInt(env, 'S3_INDEX_HTTP_MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes),
      maxPipelineCommands: positiveInt(env, 'S3_INDEX_HTTP_MAX_PIPELINE', DEFAULT_LIMITS.maxPipelineCommands),
      responseCacheBytes:
        env.S3_INDEX_HTTP_CACHE_BYTES === '0'
          ? 0
          : positiveInt(env, 'S3_INDEX_HTTP_CACHE_BYTES', DEFAULT_LIMITS.responseCacheBytes),
    },
  });
}
