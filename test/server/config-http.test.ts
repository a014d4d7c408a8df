/** The HTTP settings in the one configuration table: environment only, validated, with the app's defaults. */
import { ConfigError, DEFAULTS, loadHttpSettings, loadServeConfig } from '../../src/config';
import { DEFAULT_LIMITS, httpConfigFromEnv, httpConfigOf } from '../../src/http/config';

const TOKEN = 'rw-SECRET-0123456789abc';

describe('HTTP settings', () => {
  it('default to the app limits, and are read from the environment by serve and by the Lambda handler alike', () => {
    expect(httpConfigOf(DEFAULTS).limits).toEqual(DEFAULT_LIMITS);
    const env = {
      S3_INDEX_API_TOKENS: `rw:${TOKEN}`,
      S3_INDEX_HTTP_MAX_BODY_BYTES: '1024',
      S3_INDEX_HTTP_MAX_PIPELINE: '7',
      S3_INDEX_HTTP_CACHE_BYTES: '0',
    };
    const expected = {
      tokens: [{ kind: 'rw', token: TOKEN }],
      limits: { ...DEFAULT_LIMITS, maxBodyBytes: 1024, maxPipelineCommands: 7, responseCacheBytes: 0 },
    };
    expect(httpConfigOf(loadServeConfig([], env))).toEqual(expected);
    expect(httpConfigFromEnv(env)).toEqual(expected);
  });

  it('the Lambda handler reads only the HTTP settings (it has no ports and no RESP server)', () => {
    expect(loadHttpSettings({ S3_INDEX_RESP_PORT: 'abc', S3_INDEX_HOST: '0.0.0.0' })).toEqual(loadHttpSettings({}));
  });

  it('tokens have no flag (a command line shows in ps)', () => {
    expect(() => loadServeConfig(['--api-tokens', `rw:${TOKEN}`], {})).toThrow("unknown option '--api-tokens'");
  });

  it.each([
    ['S3_INDEX_HTTP_MAX_BODY_BYTES', '-1'],
    ['S3_INDEX_HTTP_MAX_BODY_BYTES', '1.5'],
    ['S3_INDEX_HTTP_MAX_PIPELINE', '0'],
    ['S3_INDEX_HTTP_MAX_PIPELINE', '99999999999999999999'],
    ['S3_INDEX_HTTP_CACHE_BYTES', '-0'],
    ['S3_INDEX_API_TOKENS', 'ro:short'],
  ])('refuse %s=%s with a ConfigError naming the variable', (name, value) => {
    for (const load of [() => loadServeConfig([], { [name]: value }), () => loadHttpSettings({ [name]: value })]) {
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(name);
    }
  });

  it('a token error never repeats the token', () => {
    for (const spec of [`rw:${TOKEN},ro:${TOKEN}/x`, `root:${TOKEN}`, `${TOKEN}`]) {
      let message = '';
      try {
        loadServeConfig([], { S3_INDEX_API_TOKENS: spec });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^S3_INDEX_API_TOKENS: /);
      expect(message).not.toContain(TOKEN);
    }
  });
});
