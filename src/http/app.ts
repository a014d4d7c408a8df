/**
 * The one HTTP application: the JSON API (/v1), the S3-compatible read endpoint (/s3), the Upstash-compatible
 * REST endpoint (/redis), the browse page (/ui), /healthz and /metrics. It is a plain hono app with no Node-server
 * specifics: the Node server (node-server.ts) and the Lambda handler (src/handlers/http.ts) both wrap this same app.
 *
 * Middleware, in order: request id + metrics (outermost, so failures are measured too) → authentication (all but
 * /healthz and the browse page's static files, /ui) → loading (while the service restores its state, every route
 * but /metrics and /ui answers 503 with a Retry-After, and /healthz says how far the restore got) → the response
 * cache (/v1/buckets/*, /s3/*; cache-middleware.ts) → the route. So a cache hit is authenticated, identified and
 * counted like any other request. Every failure is an HttpError (errors.ts), rendered in the dialect of its area.
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Clock } from '../engine/clock';
import type { Engine } from '../engine/engine';
import { LOADING_TEXT } from '../engine/errors';
import type { ObjectIndex } from '../service/object-index';
import type { LoadingReport } from '../service/persistence';
import { S3Index } from '../service/s3-index';
import { Authenticator, bearerToken, s3Credential } from './auth';
import { responseCacheMiddleware } from './cache-middleware';
import type { HttpConfig } from './config';
import type { AppEnv } from './context';
import { failureLogLine, HttpError, notFound, publicMessage, toHttpError, unauthorized } from './errors';
import { mountFolders } from './folder-routes';
import { type BucketSummary, bucketSummaries } from './index-answers';
import { HttpMetrics, type MetricFamily } from './metrics';
import { mountRedisRest, type RemoteCommands } from './redis-rest';
import { mountS3 } from './s3-routes';
import { isUiPath, mountUi } from './ui-routes';
import { mountV1, type V1Deps } from './v1-routes';
import { s3ErrorXml } from './xml';

export interface AppDeps {
  /** the engine /redis runs commands on, and whose figures /metrics reports */
  engine: Engine;
  config: HttpConfig;
  clock: Clock;
  /** the object index /v1, /s3 and the response cache use, and all they know of it; default: the engine's (db 0) */
  index?: ObjectIndex;
  /**
   * With `appendfsync always` (src/service/persistence.ts): the promise that the engine's writes so far are durable,
   * or undefined when they are; /redis answers a write only after it settles.
   */
  durability?: () => Promise<void> | undefined;
  /**
   * While the service restores its state (src/service/persistence.ts): how far it got; undefined once it is ready.
   * Meanwhile /healthz answers 503 with this report and every route but /metrics answers 503 "loading".
   */
  loading?: () => LoadingReport | undefined;
  /** an external Redis that /redis forwards its commands to (serve --redis-url); default: the engine runs them */
  remote?: RemoteCommands;
  /** reported by the S3 endpoint (GetBucketLocation, HeadBucket); default us-east-1 */
  region?: string;
  /**
   * Every failed request is reported here: `line` is its log entry (errors.ts `failureLogLine`: one line for an
   * expected failure, 4xx or 501; the stack after it for an unexpected one), `err` what was thrown. Default: `line`
   * on stderr.
   */
  reportError?: (err: unknown, line: string) => void;
}

export type HttpApp = Hono<AppEnv> & {
  /** whether bearer tokens are configured (the Node server refuses non-loopback hosts when they are not) */
  readonly authEnabled: boolean;
  readonly metrics: HttpMetrics;
};

type Area = 's3' | 'redis' | 'json';

function areaOf(path: string): Area {
  if (path === '/s3' || path.startsWith('/s3/')) return 's3';
  if (path === '/redis' || path.startsWith('/redis/')) return 'redis';
  return 'json';
}

const S3_ACCESS_DENIED = new HttpError(403, 'AccessDenied', 'Access Denied');

/** A request that came while the service loads: 503 in its area's dialect, with when to retry. */
function loadingError(area: Area, report: LoadingReport): HttpError {
  const headers = { 'Retry-After': String(Math.max(1, report.etaSeconds)) };
  const opts = { expose: true, headers };
  switch (area) {
    case 's3':
      return new HttpError(503, 'ServiceUnavailable', 'The index is loading. Please retry.', opts);
    case 'redis':
      return new HttpError(503, 'Loading', LOADING_TEXT, opts);
    case 'json':
      return new HttpError(503, 'Loading', `the index is loading (${report.loadedPerc.toFixed(0)}% done)`, opts);
  }
}

let requestSeq = 0;
const requestIdPrefix = Math.floor(Math.random() * 0xffffffff)
  .toString(16)
  .toUpperCase()
  .padStart(8, '0');
const nextRequestId = (): string =>
  requestIdPrefix + (requestSeq++ & 0xffffffff).toString(16).toUpperCase().padStart(8, '0');

function defaultReportError(_err: unknown, line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Renders an error in the dialect of the request's area. */
function renderError(c: Context<AppEnv>, err: HttpError): Response {
  const path = c.req.path;
  const headers: Record<string, string> = { ...err.headers };
  const message = publicMessage(err);
  switch (areaOf(path)) {
    case 's3': {
      const requestId = c.get('requestId') ?? nextRequestId();
      headers['x-amz-request-id'] = requestId;
      if (c.req.method === 'HEAD') return new Response(null, { status: err.status, headers });
      headers['content-type'] = 'application/xml';
      return new Response(s3ErrorXml(err.code, message, requestId, path.slice(3) || '/'), {
        status: err.status,
        headers,
      });
    }
    case 'redis':
      return c.json({ error: message }, err.status as 400, headers);
    case 'json':
      return c.json({ error: { code: err.code, message } }, err.status as 400, headers);
  }
}

/**
 * The route pattern that answered (for metrics), never the raw path. When a middleware answered (a failed
 * authentication, a response-cache hit), the route the request was headed for: the first one after it (hono runs
 * them in that order), so a hit counts under the same route as the miss that filled the cache.
 */
function routeLabel(c: Context<AppEnv>): string {
  const routes = c.req.matchedRoutes;
  for (let i = c.req.routeIndex; i < routes.length; i++) {
    if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  }
  return 'unmatched';
}

function engineMetrics(engine: Engine): MetricFamily[] {
  return [
    {
      name: 's3index_engine_keys',
      help: 'Keys in each non-empty engine database.',
      type: 'gauge',
      samples: engine.dbs.flatMap((db, i) => (db.size > 0 ? [{ labels: { db: String(i) }, value: db.size }] : [])),
    },
    {
      name: 's3index_engine_commands_processed_total',
      help: 'Commands executed by the engine (all front ends).',
      type: 'counter',
      samples: [{ value: engine.stats.commandsProcessed }],
    },
  ];
}

function indexMetrics(buckets: readonly BucketSummary[], events: V1Deps['eventCounts']): MetricFamily[] {
  return [
    {
      name: 's3index_objects',
      help: 'Objects listed in the index, by bucket.',
      type: 'gauge',
      samples: buckets.map((b) => ({ labels: { bucket: b.name }, value: b.objects })),
    },
    {
      name: 's3index_object_bytes',
      help: 'Total size of the objects listed in the index, by bucket.',
      type: 'gauge',
      samples: buckets.map((b) => ({ labels: { bucket: b.name }, value: b.bytes })),
    },
    {
      name: 's3index_events_total',
      help: 'Events received by POST /v1/events, by outcome.',
      type: 'counter',
      samples: Object.entries(events).map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
  ];
}

export function createApp(deps: AppDeps): HttpApp {
  const { engine, config } = deps;
  const reportError = deps.reportError ?? defaultReportError;
  const auth = new Authenticator(config.tokens);
  const metrics = new HttpMetrics();
  // while the service loads, the engine's figures would tell of a state that is not there yet
  metrics.addCollector(() => (deps.loading?.() !== undefined ? [] : engineMetrics(engine)));

  const app = new Hono<AppEnv>();

  /** Logs a failed request (errors.ts decides how much), then answers it in the dialect of its area. */
  const fail = (c: Context<AppEnv>, err: unknown): Response => {
    reportError(err, failureLogLine({ method: c.req.method, url: c.req.url, requestId: c.get('requestId') }, err));
    return renderError(c, toHttpError(err));
  };
  app.onError((err, c) => fail(c, err));
  app.notFound((c) =>
    fail(
      c,
      areaOf(c.req.path) === 's3'
        ? notFound('The specified route does not exist', 'NoSuchRoute')
        : notFound('Not Found', 'NotFound'),
    ),
  );

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('requestId', nextRequestId());
    try {
      await next();
    } finally {
      metrics.observe(routeLabel(c), c.req.method, c.res.status, (performance.now() - started) / 1000);
    }
  });

  const loading = deps.loading;
  app.get('/healthz', (c) => {
    const report = loading?.();
    if (report === undefined) return c.json({ status: 'ok' });
    return c.json({ status: 'loading', ...report }, 503, { 'Retry-After': String(Math.max(1, report.etaSeconds)) });
  });

  app.use('*', async (c, next) => {
    // the browse page's static files: a browser's navigation carries no token (the page sends one on its API calls)
    if (isUiPath(c.req.path)) return next();
    const s3 = areaOf(c.req.path) === 's3';
    const authorization = c.req.header('authorization');
    const kind = auth.verify(
      s3
        ? s3Credential(authorization, new URL(c.req.url).searchParams.get('X-Amz-Credential'))
        : bearerToken(authorization),
    );
    if (kind === undefined) throw s3 ? S3_ACCESS_DENIED : unauthorized();
    c.set('tokenKind', kind);
    await next();
  });

  if (loading !== undefined) {
    metrics.addCollector(() => [
      {
        name: 's3index_loading',
        help: '1 while the service restores its state from the store, else 0.',
        type: 'gauge',
        samples: [{ value: loading() === undefined ? 0 : 1 }],
      },
    ]);
    // refused without a log line each: a client polling a long restore would flood the log (Redis logs none)
    app.use('*', async (c, next) => {
      const report = loading();
      if (report !== undefined && c.req.path !== '/metrics' && !isUiPath(c.req.path))
        return renderError(c, loadingError(areaOf(c.req.path), report));
      await next();
    });
  }

  const index = deps.index ?? new S3Index(engine);
  const cached = responseCacheMiddleware({ index, maxBytes: config.limits.responseCacheBytes, metrics });
  app.use('/v1/buckets/*', cached);
  app.use('/s3/*', cached);

  const eventCounts: V1Deps['eventCounts'] = { applied: 0, stale: 0, duplicate: 0, ignored: 0, rejected: 0 };
  // the index's figures come last, asked of the index before rendering (its answers may take a while)
  app.get('/metrics', async (c) => {
    const buckets = loading?.() !== undefined ? [] : await bucketSummaries(index);
    return c.body(metrics.render(indexMetrics(buckets, eventCounts)), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    });
  });

  mountV1(app, { index, limits: config.limits, eventCounts });
  mountFolders(app, { index, limits: config.limits });
  mountS3(app, { index, region: deps.region ?? 'us-east-1', startedAt: deps.clock.now() });
  mountRedisRest(app, { engine, limits: config.limits, durability: deps.durability, remote: deps.remote });
  mountUi(app);

  return Object.assign(app, { authEnabled: auth.enabled, metrics });
}
