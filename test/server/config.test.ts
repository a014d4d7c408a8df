import { ConfigError, isLoopback, loadServeConfig } from '../../src/config';

describe('loadServeConfig', () => {
  it('uses defaults, then environment, then flags', () => {
    expect(loadServeConfig([], {})).toMatchObject({ host: '127.0.0.1', respPort: 6380, httpPort: 8080 });
    const cfg = loadServeConfig(['--resp-port', '7000', '--http-port=9000', '--data-dir', '/tmp/d'], {
      S3_INDEX_RESP_PORT: '6500',
      S3_INDEX_REQUIREPASS: 'pw',
    });
    expect(cfg).toMatchObject({ respPort: 7000, httpPort: 9000, dataDir: '/tmp/d', requirepass: 'pw' });
    expect(loadServeConfig(['--proto-max-bulk-len', '2mb'], {}).protoMaxBulkLen).toBe(2 * 1024 * 1024);
  });

  it('refuses a non-loopback address without a password (protected mode)', () => {
    expect(() => loadServeConfig(['--host', '0.0.0.0'], {})).toThrow(ConfigError);
    expect(() => loadServeConfig(['--host', '0.0.0.0'], {})).toThrow(/without a password/);
    // (the HTTP API there needs tokens as well)
    const tokens = { S3_INDEX_API_TOKENS: 'rw:0123456789abcdef' };
    expect(loadServeConfig(['--host', '0.0.0.0', '--requirepass', 'pw'], tokens).host).toBe('0.0.0.0');
    expect(loadServeConfig(['--host', '0.0.0.0'], { ...tokens, S3_INDEX_REQUIREPASS: 'pw' }).requirepass).toBe('pw');
    expect(() => loadServeConfig(['--host', '0.0.0.0', '--requirepass', 'pw'], {})).toThrow(/without authentication/);
    expect(loadServeConfig(['--host', 'localhost'], {}).host).toBe('localhost');
  });

  it('rejects bad values and unknown options with clear messages', () => {
    expect(() => loadServeConfig(['--resp-port', 'abc'], {})).toThrow("--resp-port: 'abc' is not a port number");
    expect(() => loadServeConfig(['--nope'], {})).toThrow("unknown option '--nope'");
    expect(() => loadServeConfig(['--resp-port'], {})).toThrow('--resp-port needs a value');
    expect(() => loadServeConfig([], { S3_INDEX_RESP_PORT: '70000' })).toThrow('S3_INDEX_RESP_PORT');
  });

  it('recognises loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].some(isLoopback)).toBe(false);
  });
});
