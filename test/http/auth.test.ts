/** Token configuration, constant-time verification, where tokens are accepted, and 401/403 answers per area. */
import { Authenticator, bearerToken, parseApiTokens, s3Credential } from '../../src/http/auth';
import { httpConfigFromEnv } from '../../src/http/config';
import { appHarness, bearer, RO_TOKEN, RW_TOKEN, TEST_TOKENS } from './harness';

describe('S3_INDEX_API_TOKENS', () => {
  it('parses ro:/rw:/admin: entries', () => {
    expect(parseApiTokens(`ro:${RO_TOKEN}, rw:${RW_TOKEN},admin:${RW_TOKEN}x,`)).toEqual([
      { kind: 'ro', token: RO_TOKEN },
      { kind: 'rw', token: RW_TOKEN },
      { kind: 'admin', token: `${RW_TOKEN}x` },
    ]);
    expect(parseApiTokens(undefined)).toEqual([]);
    expect(parseApiTokens('  ')).toEqual([]);
  });

  it.each([
    ['no kind', RO_TOKEN],
    ['an unknown kind', `root:${RO_TOKEN}`],
    ['a kind in capitals', `RO:${RO_TOKEN}`],
    ['a short token', 'ro:short'],
    ['a token with a space', 'ro:0123456789abcdef 0123'],
    ['a token with a slash', 'ro:0123456789abcdef/0123'],
  ])('rejects %s', (_what, spec) => {
    expect(() => parseApiTokens(spec)).toThrow(/S3_INDEX_API_TOKENS/);
  });

  it('is read by httpConfigFromEnv with the limits', () => {
    const cfg = httpConfigFromEnv({ S3_INDEX_API_TOKENS: `rw:${RW_TOKEN}`, S3_INDEX_HTTP_MAX_BODY_BYTES: '1024' });
    expect(cfg.tokens).toEqual([{ kind: 'rw', token: RW_TOKEN }]);
    expect(cfg.limits.maxBodyBytes).toBe(1024);
    expect(() => httpConfigFromEnv({ S3_INDEX_HTTP_MAX_BODY_BYTES: '-1' })).toThrow(/positive integer/);
  });
});

describe('Authenticator', () => {
  it('verifies tokens and tells their kind; open without tokens', () => {
    const a = new Authenticator(TEST_TOKENS);
    expect(a.enabled).toBe(true);
    expect(a.verify(RO_TOKEN)).toBe('ro');
    expect(a.verify(RW_TOKEN)).toBe('rw');
    expect(a.verify(`${RW_TOKEN}x`)).toBeUndefined();
    expect(a.verify('')).toBeUndefined();
    expect(a.verify(undefined)).toBeUndefined();
    const open = new Authenticator([]);
    expect(open.enabled).toBe(false);
    expect(open.verify(undefined)).toBe('admin');
  });

  it('gives a token listed at several levels the highest of them, in any order', () => {
    const twice = (first: 'ro' | 'admin', second: 'ro' | 'admin') =>
      new Authenticator([
        { kind: first, token: RO_TOKEN },
        { kind: 'rw', token: RO_TOKEN },
        { kind: second, token: RO_TOKEN },
      ]).verify(RO_TOKEN);
    expect(twice('ro', 'admin')).toBe('admin');
    expect(twice('admin', 'ro')).toBe('admin');
    expect(
      new Authenticator([
        { kind: 'rw', token: RO_TOKEN },
        { kind: 'ro', token: RO_TOKEN },
      ]).verify(RO_TOKEN),
    ).toBe('rw');
  });

  it('extracts bearer tokens and S3 access key ids', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(
      s3Credential(
        'AWS4-HMAC-SHA256 Credential=MYTOKEN/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab',
        null,
      ),
    ).toBe('MYTOKEN');
    expect(s3Credential('AWS MYTOKEN:c2lnbmF0dXJl', null)).toBe('MYTOKEN');
    expect(s3Credential(undefined, 'MYTOKEN/20240101/us-east-1/s3/aws4_request')).toBe('MYTOKEN');
    expect(s3Credential('Bearer T', 'X/…')).toBe('T');
    expect(s3Credential(undefined, null)).toBeUndefined();
  });
});

describe('authentication in the app', () => {
  it('/healthz needs no token', async () => {
    const { request } = appHarness({ tokens: TEST_TOKENS });
    const res = await request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 401 with no detail on the JSON API and /metrics', async () => {
    const { request } = appHarness({ tokens: TEST_TOKENS });
    for (const headers of [{}, bearer('wrong-token-0123456789'), { authorization: `Basic ${RW_TOKEN}` }]) {
      const res = await request('/metrics', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ error: { code: 'Unauthorized', message: 'Unauthorized' } });
    }
    expect((await request('/metrics', { headers: bearer(RO_TOKEN) })).status).toBe(200);
  });

  it('answers S3 clients with S3 AccessDenied XML, and accepts the token as the SigV4 access key id', async () => {
    const { request } = appHarness({ tokens: TEST_TOKENS });
    let res = await request('/s3/bucket?list-type=2');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const body = await res.text();
    expect(body).toContain('<Code>AccessDenied</Code><Message>Access Denied</Message>');
    expect(body).toMatch(/<RequestId>[0-9A-F]{16}<\/RequestId>/);
    res = await request('/s3/bucket/key', { method: 'HEAD' });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('');
    res = await request('/s3/bucket?list-type=2', {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${RO_TOKEN}/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00`,
      },
    });
    expect(res.status).not.toBe(403);
    expect(res.status).not.toBe(401);
  });

  it('is open when no tokens are configured', async () => {
    const { request } = appHarness();
    expect((await request('/metrics')).status).toBe(200);
  });
});
