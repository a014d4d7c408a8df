/**
 * In-process harness for the HTTP app: a real engine on a ManualClock, the app built by createApp, and
 * `request()` that goes through `app.fetch` (no sockets). `serveApp()` starts the same app on a free loopback
 * port for real clients.
 */

import { ManualClock } from '../../src/engine/clock';
import type { Engine } from '../../src/engine/engine';
import { createApp, type HttpApp } from '../../src/http/app';
import type { ApiToken } from '../../src/http/auth';
import { type HttpLimits, httpConfig } from '../../src/http/config';
import { type HttpServerHandle, startHttpServer } from '../../src/http/node-server';
import { createEngine } from '../../src/service/create-engine';

export const RO_TOKEN = 'ro-token-0123456789abcdef';
export const RW_TOKEN = 'rw-token-0123456789abcdef';
export const TEST_TOKENS: ApiToken[] = [
  { kind: 'ro', token: RO_TOKEN },
  { kind: 'rw', token: RW_TOKEN },
];

export interface AppHarness {
  app: HttpApp;
  engine: Engine;
  clock: ManualClock;
  errors: unknown[];
  request(path: string, init?: RequestInit): Promise<Response>;
  /** POST a JSON body */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function appHarness(opts: { tokens?: ApiToken[]; limits?: Partial<HttpLimits> } = {}): AppHarness {
  const clock = new ManualClock();
  const engine = createEngine({ clock });
  const errors: unknown[] = [];
  const app = createApp({
    engine,
    clock,
    config: httpConfig({ tokens: opts.tokens, limits: opts.limits }),
    reportError: (e) => errors.push(e),
  });
  const request = async (path: string, init?: RequestInit): Promise<Response> =>
    app.fetch(new Request(`http://localhost${path}`, init));
  return {
    app,
    engine,
    clock,
    errors,
    request,
    post: (path, body, headers = {}) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export async function serveApp(h: AppHarness): Promise<HttpServerHandle & { url: string }> {
  const handle = await startHttpServer(h.app, { host: '127.0.0.1', port: 0 });
  return Object.assign(handle, { url: `http://127.0.0.1:${handle.port}` });
}
