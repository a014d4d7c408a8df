/**
 * The browse page's static routes (src/http/ui-routes.ts): served without a token while every API route still needs
 * one, strict security headers, versioned assets that are immutable, ETag revalidation. (The page itself in a
 * browser: test/ui/browse.test.ts.)
 */
import { version } from 'virtual:ui-assets';
import { createApp } from '../../src/http/app';
import { httpConfig } from '../../src/http/config';
import type { LoadingReport } from '../../src/service/persistence';
import { appHarness, bearer, RO_TOKEN, TEST_TOKENS } from './harness';

const h = appHarness({ tokens: TEST_TOKENS });

function expectSecurityHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('/ui', () => {
  it.each(['/ui', '/ui/'])('%s answers the page without a token, with no inline script', async (path) => {
    const res = await h.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(res);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain(`src="/ui/assets/app.${version}.js"`);
    expect(scripts[0]![2]).toBe('');
    expect(html).toContain(`href="/ui/assets/app.${version}.css"`);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/style=/i);
  });

  it('serves the assets: versioned names immutable, plain names revalidated by ETag', async () => {
    for (const [name, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['app.css', 'text/css; charset=utf-8'],
    ]) {
      const versioned = await h.request(`/ui/assets/${name.replace('.', `.${version}.`)}`);
      expect(versioned.status).toBe(200);
      expect(versioned.headers.get('content-type')).toBe(type);
      expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(versioned);
      const body = await versioned.text();
      expect(body.length).toBeGreaterThan(100);
      const plain = await h.request(`/ui/assets/${name}`);
      expect(plain.headers.get('cache-control')).toBe('no-cache');
      expect(await plain.text()).toBe(body);
      const etag = plain.headers.get('etag')!;
      expect(etag).toBe(`"${version}"`);
      const again = await h.request(`/ui/assets/${name}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
    expect((await h.request('/ui', { headers: { 'if-none-match': `W/"${version}"` } })).status).toBe(304);
    expect((await h.request('/ui', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers 404 for anything else under /ui, and the API still needs its token', async () => {
    expect((await h.request('/ui/assets/app.0000.js')).status).toBe(404);
    expect((await h.request('/ui/other')).status).toBe(404);
    expect((await h.request('/uix')).status).toBe(401);
    expect((await h.request('/ui/../v1/buckets')).status).toBe(401);
    expect((await h.request('/v1/buckets')).status).toBe(401);
    expect((await h.request('/v1/buckets', { headers: bearer(RO_TOKEN) })).status).toBe(200);
  });

  it('is served while the service loads; the API answers 503 meanwhile', async () => {
    const report = { phase: 'snapshot', loadedPerc: 10, etaSeconds: 3 } as LoadingReport;
    const loading = createApp({
      engine: h.engine,
      clock: h.clock,
      config: httpConfig(),
      loading: () => report,
      reportError: () => {},
    });
    expect((await loading.fetch(new Request('http://localhost/ui'))).status).toBe(200);
    expect((await loading.fetch(new Request('http://localhost/v1/buckets'))).status).toBe(503);
  });
});
