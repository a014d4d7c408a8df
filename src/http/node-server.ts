/**
 * Serves the HTTP app on a Node HTTP server (the `serve` CLI's --http-port). The app itself knows nothing about
 * Node; this is the only place that does.
 *
 * Wiring, as `startService` in src/cli/serve.ts does it (`config` from loadServeConfig, src/config.ts):
 *   const engine = createEngine();
 *   const index = new S3Index(engine); // with a store: persistence.durableIndex(new S3Index(engine))
 *   const app = createApp({ engine, index, config: httpConfigOf(config), clock: systemClock });
 *   const http = await startHttpServer(app, { host: config.host, port: config.httpPort }); // --http-port, 8080
 *   … on shutdown: await http.close();
 * The Lambda (src/handlers/http.ts) runs the same app without this file, with httpConfigFromEnv(process.env).
 *
 * Without configured tokens the API is open, so this refuses to listen on anything but a loopback address.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { isLoopback } from '../config';

export interface HttpServerHandle {
  readonly host: string;
  /** the bound port (useful with port 0) */
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** The subset of the app this needs: its fetch function and whether it authenticates. */
export interface ServableApp {
  readonly authEnabled: boolean;
  fetch(request: Request): Response | Promise<Response>;
}

export function startHttpServer(
  app: ServableApp,
  opts: { host: string; port: number; keepAliveTimeoutMs?: number },
): Promise<HttpServerHandle> {
  if (!app.authEnabled && !isLoopback(opts.host)) {
    return Promise.reject(
      new Error(
        `refusing to serve HTTP on ${opts.host} without authentication: set S3_INDEX_API_TOKENS or bind a loopback address`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (req: Request) => app.fetch(req), hostname: opts.host, port: opts.port }) as Server;
    server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 65_000;
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      resolve({
        host: opts.host,
        port,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
