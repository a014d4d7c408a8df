/**
 * The API tokens of the Lambda functions (format: http/auth.ts), from one of:
 * - `S3_INDEX_API_TOKENS_PARAM`: the name of an SSM parameter (a SecureString, read with decryption through
 *   Powertools parameters and cached for `S3_INDEX_API_TOKENS_MAX_AGE` seconds, default 300), so that rotating a
 *   token is `aws ssm put-parameter --overwrite` and no redeploy: every container picks the new value up within
 *   that time;
 * - `S3_INDEX_API_TOKENS`: the value itself (local use, tests).
 *
 * The HTTP API of a deployment is on the internet, so it fails closed: with neither setting, every request is
 * refused (503), unless `S3_INDEX_OPEN_API=true` or serverless-offline runs the function (`IS_OFFLINE`). When the
 * parameter cannot be read, the last value read is kept (and the failure logged); a container that never read it
 * refuses requests until it can.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';

export class TokensUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokensUnavailable';
  }
}

/** What the app is built with: `S3_INDEX_API_TOKENS` for http/config.ts ('' = an open API). */
export interface TokenSource {
  tokens(): Promise<string>;
}

export function tokenSource(env: NodeJS.ProcessEnv, warn: (msg: string, err: unknown) => void): TokenSource {
  const param = env.S3_INDEX_API_TOKENS_PARAM;
  if (param !== undefined && param !== '') {
    const maxAge = Number(env.S3_INDEX_API_TOKENS_MAX_AGE ?? '300');
    let last: string | undefined;
    return {
      async tokens() {
        try {
          const value = await getParameter(param, {
            decrypt: true,
            maxAge: Number.isFinite(maxAge) && maxAge >= 0 ? maxAge : 300,
          });
          if (value === undefined) throw new Error('the parameter has no value');
          last = value.trim();
        } catch (err) {
          warn(`API tokens: could not read the SSM parameter ${param}`, err);
          if (last === undefined) throw new TokensUnavailable('the API tokens could not be read');
        }
        return last;
      },
    };
  }
  const value = env.S3_INDEX_API_TOKENS ?? '';
  const open = env.S3_INDEX_OPEN_API === 'true' || env.IS_OFFLINE === 'true';
  return {
    async tokens() {
      if (value === '' && !open)
        throw new TokensUnavailable(
          'no API tokens configured (S3_INDEX_API_TOKENS_PARAM or S3_INDEX_API_TOKENS); S3_INDEX_OPEN_API=true opens the API',
        );
      return value;
    },
  };
}
