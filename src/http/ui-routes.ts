/**
 * The browse page: a static page and its two assets, built from src/ui/client/ into the bundle (`virtual:ui-assets`,
 * scripts/ui-assets.js), so it works offline and needs no CDN.
 *
 *   GET /ui, /ui/                      the page (no-cache: revalidated by its ETag)
 *   GET /ui/assets/app.<version>.js    the client script (and .css): immutable, the version is their content hash
 *   GET /ui/assets/app.js, app.css     the same under a stable name, revalidated by ETag
 *
 * These routes need no token (a browser's navigation carries none: the app's authentication skips isUiPath paths);
 * the page asks for one and sends it on each API call it makes. Every answer carries a strict Content-Security-Policy:
 * nothing but this origin's script, styles and API, no inline code.
 */

import { css, html, js, version } from 'virtual:ui-assets';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './context';
import { notFound } from './errors';

/** Whether a path belongs to the browse page's static routes (served without a token). */
export const isUiPath = (path: string): boolean => path === '/ui' || path.startsWith('/ui/');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const ETAG = `"${version}"`;
const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const ASSETS: Record<string, { body: string; type: string; cache: string }> = {
  'app.js': { body: js, type: 'text/javascript; charset=utf-8', cache: REVALIDATE },
  'app.css': { body: css, type: 'text/css; charset=utf-8', cache: REVALIDATE },
  [`app.${version}.js`]: { body: js, type: 'text/javascript; charset=utf-8', cache: IMMUTABLE },
  [`app.${version}.css`]: { body: css, type: 'text/css; charset=utf-8', cache: IMMUTABLE },
};

function serve(c: Context<AppEnv>, body: string, type: string, cache: string): Response {
  const headers = { ...SECURITY_HEADERS, etag: ETAG, 'cache-control': cache };
  const match = c.req.header('if-none-match');
  if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === ETAG))
    return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { ...headers, 'content-type': type } });
}

export function mountUi(app: Hono<AppEnv>): void {
  const page = (c: Context<AppEnv>): Response => serve(c, html, 'text/html; charset=utf-8', REVALIDATE);
  app.get('/ui', page);
  app.get('/ui/', page);
  app.get('/ui/assets/:file', (c) => {
    const asset = ASSETS[c.req.param('file')];
    if (asset === undefined) throw notFound('Not Found', 'NotFound');
    return serve(c, asset.body, asset.type, asset.cache);
  });
}
