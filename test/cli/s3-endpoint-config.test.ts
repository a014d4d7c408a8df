/** --s3-endpoint and --s3-path-style (S3_INDEX_S3_ENDPOINT, S3_INDEX_S3_PATH_STYLE): parsed, and refused with one line when bad. */
import { ConfigError, loadServeConfig } from '../../src/config';

it('s3 endpoint flags', () => {
  expect(loadServeConfig(['--s3-endpoint', 'http://127.0.0.1:9000', '--s3-path-style', 'false'], {})).toMatchObject({
    s3Endpoint: 'http://127.0.0.1:9000',
    s3PathStyle: false,
  });
  expect(
    loadServeConfig([], { S3_INDEX_S3_ENDPOINT: 'https://x.example', S3_INDEX_S3_PATH_STYLE: 'true' }),
  ).toMatchObject({ s3Endpoint: 'https://x.example', s3PathStyle: true });
  expect(() => loadServeConfig(['--s3-endpoint', 'ftp://x'], {})).toThrow(
    new ConfigError("--s3-endpoint: 'ftp://x' is not an http:// or https:// URL"),
  );
  expect(() => loadServeConfig(['--s3-path-style', 'maybe'], {})).toThrow(ConfigError);
});
