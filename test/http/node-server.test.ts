/**
 * The Node adapter: binds, serves the app over real sockets, refuses non-loopback hosts without tokens. (Cache hits
 * over a socket: cache-middleware.test.ts.)
 */
import { isLoopback } from '../../src/config';
import { startHttpServer } from '../../src/http/node-server';
import { appHarness, bearer, RW_TOKEN, serveApp, TEST_TOKENS } from './harness';

describe('startHttpServer', () => {
  it('serves the app on a free port and closes', async () => {
    const h = appHarness();
    const server = await serveApp(h);
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      const r = await fetch(`${server.url}/redis`, { method: 'POST', body: '["ECHO","over a socket"]' });
      expect(await r.json()).toEqual({ result: 'over a socket' });
    } finally {
      await server.close();
    }
  });

  it('refuses a non-loopback host when no tokens are configured', async () => {
    const h = appHarness();
    await expect(startHttpServer(h.app, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to serve HTTP on 0\.0\.0\.0 without authentication/,
    );
  });

  it('binds any host when tokens are configured', async () => {
    const h = appHarness({ tokens: TEST_TOKENS });
    const server = await startHttpServer(h.app, { host: '0.0.0.0', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: bearer(RW_TOKEN) });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('reports a port in use', async () => {
    const h = appHarness();
    const first = await serveApp(h);
    try {
      await expect(startHttpServer(h.app, { host: '127.0.0.1', port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['example.com', false],
    ['127.0.0.1000', false],
    ['LOCALHOST', true],
  ])('isLoopback(%s) = %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
