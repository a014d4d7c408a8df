/**
 * `serve --redis-url rediss://USER:PASSWORD@…` against a redis-server with TLS and an ACL user, as ElastiCache with
 * in-transit encryption and AUTH is reached: the certificate is verified (a CA the process does not trust is refused,
 * and trusted with NODE_EXTRA_CA_CERTS), the user and password authenticate, a wrong password is refused at start-up,
 * and the password never reaches the output.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describeWithTool, freePort, hasTool, waitForPort } from '../helpers/redis-server';
import { buildCli, killServeChildren, runServe, startServeChild } from '../helpers/serve-child';
import { created } from '../index/harness';

const describeTls = hasTool('openssl') || process.env.CI === 'true' ? describeWithTool('redis-server') : describe.skip;
if (!hasTool('openssl') && process.env.CI !== 'true') console.warn("SKIPPED: 'openssl' is not installed");

const PASSWORD = 'tls-s3cret-pw-0123';

describeTls('serve --redis-url rediss:// (TLS, an ACL user)', () => {
  let dir: string;
  let port: number;
  let stopRedis: () => void = () => undefined;

  /** A CA, and a certificate it signed for localhost / 127.0.0.1. */
  function makeCertificates(): void {
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(['genrsa', '-out', 'ca.key', '2048']);
    ssl(['req', '-x509', '-new', '-key', 'ca.key', '-days', '2', '-subj', '/CN=s3-index test CA', '-out', 'ca.pem']);
    ssl(['genrsa', '-out', 'server.key', '2048']);
    ssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr']);
    fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    ssl([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'san.ext',
      '-out',
      'server.pem',
    ]);
  }

  beforeAll(async () => {
    buildCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3idx-redis-tls-'));
    makeCertificates();
    port = await freePort();
    const proc = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        'server.pem',
        '--tls-key-file',
        'server.key',
        '--tls-ca-cert-file',
        'ca.pem',
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        // one argument per word: redis-server quotes each argument of a directive
        '--user',
        'default',
        'off',
        '--user',
        'indexer',
        'on',
        `>${PASSWORD}`,
        '~*',
        '&*',
        '+@all',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    stopRedis = () => proc.kill('SIGKILL');
    await waitForPort(port, 10_000);
  }, 60_000);

  afterAll(async () => {
    await killServeChildren();
    stopRedis();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('trusted CA, right password: events land and list through /s3; the password is never printed', async () => {
    const serve = await startServeChild({
      args: ['--redis-url', `rediss://indexer:${PASSWORD}@localhost:${port}`],
      env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') },
    });
    expect(serve.stderr()).toMatch(new RegExp(`object index lives in rediss://indexer@localhost:${port}`));
    const events = ['x/1', 'x/2', 'y'].map((k, i) => created('secure', k, `000000000000000${i + 1}`, 3));
    const res = await fetch(`http://127.0.0.1:${serve.httpPort}/v1/events`, {
      method: 'POST',
      body: JSON.stringify(events),
    });
    expect(await res.json()).toMatchObject({ applied: 3 });
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${serve.httpPort}/s3`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'secure', Delimiter: '/' }));
      expect(page.Contents?.map((o) => o.Key)).toEqual(['y']);
      expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['x/']);
    } finally {
      s3.destroy();
    }
    expect(serve.stderr()).not.toContain(PASSWORD);
    await serve.kill('SIGTERM');
  }, 60_000);

  test('a CA the process does not trust, or a wrong password: refused at start-up (exit 1), one line', async () => {
    const untrusted = await runServe({
      args: ['--redis-url', `rediss://indexer:${PASSWORD}@localhost:${port}`],
      env: { NODE_EXTRA_CA_CERTS: undefined },
    });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/cannot reach the Redis server rediss:\/\/indexer@localhost:\d+: .*certificate/i);
    expect(untrusted.stderr).not.toContain(PASSWORD);
    const wrong = await runServe({
      args: ['--redis-url', `rediss://indexer:not-the-${PASSWORD}@localhost:${port}`],
      env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/cannot reach the Redis server rediss:\/\/indexer@localhost:\d+: WRONGPASS/);
    expect(wrong.stderr).not.toContain(PASSWORD);
  }, 60_000);
});
