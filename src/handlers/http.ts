/**
 * Lambda entry points for the HTTP API: the same app as `s3-index serve`, wrapped by hono's aws-lambda adapter.
 * The app is built once per container, on the runtime (./runtime.ts) restored from S3_INDEX_STORE on a cold start;
 * without S3_INDEX_STORE it is memory-only, as before (local use).
 *
 *   handler           API Gateway HTTP API (payload format 2.0): buffered responses (Lambda caps them at 6 MB,
 *                     so a large NDJSON export needs the streaming handler);
 *   streamingHandler  a Function URL (or API Gateway REST API) with response streaming (InvokeMode
 *                     RESPONSE_STREAM): the body is piped as the app produces it, so the NDJSON export streams page
 *                     by page. It exists only inside the Lambda runtime, which provides the `awslambda` global.
 *
 * Consistency, by route, with a store:
 * - reads (/v1 listings, lookups, stats, /s3, /redis reads): the state as of the last refresh; before a request the
 *   manifest is re-read (a conditional GET) when S3_INDEX_REFRESH_MS (default 1000) has passed, and new segments
 *   are applied, so an answer is at most about that period behind the last committed batch;
 * - POST /v1/events: answered only once the batch is committed to the store (conditional writes); a conflict with
 *   another writer answers 503 and the container restores afresh before the next request;
 * - /redis write commands: logged, and committed at the latest by the next POST /v1/events or the log's 30 s timer
 *   while the container lives — NOT durable when answered (a frozen or recycled container loses them). TODO: a
 *   hook in src/http for a durability barrier after /redis writes.
 */
import { Hono } from 'hono';
import { handle, streamHandle } from 'hono/aws-lambda';
import { systemClock } from '../engine/clock';
import { createApp } from '../http/app';
import { httpConfigFromEnv } from '../http/config';
import { discardRuntime, logger, type Runtime, refreshed } from './runtime';

type App = ReturnType<typeof createApp>;
const apps = new WeakMap<Runtime, App>();

function appOf(rt: Runtime): App {
  let app = apps.get(rt);
  if (app === undefined) {
    const config = httpConfigFromEnv(process.env);
    app = createApp({ engine: rt.engine, index: rt.objectIndex, config, clock: systemClock });
    apps.set(rt, app);
  }
  return app;
}

async function current(): Promise<Runtime> {
  try {
    return await refreshed();
  } catch (err) {
    logger.error('refresh failed', { error: (err as Error).message });
    discardRuntime();
    return refreshed();
  }
}

/** Forwards every request to the app of the current runtime (restored, refreshed, or restored afresh). */
const front = new Hono().all('*', async (c) => {
  const rt = await current();
  const res = await appOf(rt).fetch(c.req.raw);
  // a write that could not be committed (a conflict): this engine is not the store's; restore before the next one
  if (rt.persistence !== undefined && res.status === 503 && c.req.method === 'POST') discardRuntime();
  return res;
});

export const handler = handle(front);

export const streamingHandler: ReturnType<typeof streamHandle> | undefined =
  // Powertools may define an `awslambda` global of its own (InvokeStore): look for the runtime's function
  typeof (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda?.streamifyResponse === 'function'
    ? streamHandle(front)
    : undefined;
