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
 * - writes (POST /v1/events, /redis write commands): answered only once committed to the store (conditional writes
 *   make concurrent containers safe: the loser of a race is refused, never merged). A write that loses a race is
 *   retried once on a runtime restored afresh; if that fails too it answers 503 (Retry-After) and is not applied.
 *   A store that fails ambiguously (a timeout after the manifest was replaced) can make that retry apply a /redis
 *   write twice (INCR); an index batch applied twice is a harmless duplicate (per-key sequencers).
 *
 * Tokens: ./tokens.ts (an SSM parameter, re-read every S3_INDEX_API_TOKENS_MAX_AGE seconds; fails closed).
 */
import { Hono } from 'hono';
import { handle, streamHandle } from 'hono/aws-lambda';
import { systemClock } from '../engine/clock';
import { createApp } from '../http/app';
import { httpConfigFromEnv } from '../http/config';
import { discardRuntime, logger, type Runtime, refreshed, runtime } from './runtime';
import { tokenSource } from './tokens';

type App = ReturnType<typeof createApp>;
/** the app of a runtime, rebuilt when the tokens change (a rotation) */
const apps = new WeakMap<Runtime, { tokens: string; app: App }>();
const tokens = tokenSource(process.env, (msg, err) => logger.error(msg, { error: (err as Error).message }));

function appOf(rt: Runtime, granted: string): App {
  const known = apps.get(rt);
  if (known !== undefined && known.tokens === granted) return known.app;
  const config = httpConfigFromEnv({ ...process.env, S3_INDEX_API_TOKENS: granted });
  const app = createApp({
    engine: rt.engine,
    index: rt.objectIndex,
    config,
    clock: systemClock,
    // /redis writes are answered once committed (the runtime's write log runs with `always`)
    durability: rt.persistence?.durabilityBarrier(),
    remote: rt.remote,
  });
  apps.set(rt, { tokens: granted, app });
  return app;
}

async function currentRuntime(): Promise<Runtime> {
  try {
    return await refreshed();
  } catch (err) {
    logger.error('refresh failed', { error: (err as Error).message });
    discardRuntime();
    return refreshed();
  }
}

/** A retried write must have started this recently (a StoreUnavailable comes after the 30 s ack timeout: no retry). */
const RETRY_WITHIN_MS = 10_000;

function unavailable(message: string): Response {
  return Response.json(
    { error: { code: 'ServiceUnavailable', message } },
    { status: 503, headers: { 'Retry-After': '1' } },
  );
}

/**
 * Forwards every request to the app of the current runtime (restored, refreshed, or restored afresh). A write
 * answered 503 with a store behind it was applied to this container's engine but not committed (another writer
 * committed first, or the store failed): the engine is dropped, and the write is tried once more on a runtime
 * restored afresh, which is safe because the first attempt left nothing in the store.
 */
const front = new Hono().all('*', async (c) => {
  // the tokens (an SSM read on a cold start) and the restore at once
  const restoring = currentRuntime();
  restoring.catch(() => undefined);
  let granted: string;
  try {
    granted = await tokens.tokens();
  } catch (err) {
    logger.error('API tokens unavailable: request refused', { error: (err as Error).message });
    return unavailable('The API is not configured. Please retry later.');
  }
  const started = Date.now();
  const write = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  const again = write ? c.req.raw.clone() : undefined;
  const rt = await restoring;
  let app: App;
  try {
    app = appOf(rt, granted);
  } catch (err) {
    logger.error('API tokens invalid: request refused', { error: (err as Error).message });
    return unavailable('The API is not configured. Please retry later.');
  }
  const res = await app.fetch(c.req.raw);
  if (rt.persistence === undefined || res.status !== 503 || !write) return res;
  discardRuntime();
  if (again === undefined || Date.now() - started > RETRY_WITHIN_MS) return res;
  logger.warn('write not committed: retrying once on a runtime restored afresh', { path: c.req.path });
  const rt2 = await currentRuntime();
  const res2 = await appOf(rt2, granted).fetch(again);
  if (res2.status === 503) discardRuntime();
  return res2;
});

// A cold start begins the restore while the module loads (Lambda's init phase runs at full CPU): the first request
// then finds it under way or done. A failure is forgotten here and met again by that request.
runtime().catch(() => undefined);

export const handler = handle(front);

export const streamingHandler: ReturnType<typeof streamHandle> | undefined =
  // Powertools may define an `awslambda` global of its own (InvokeStore): look for the runtime's function
  typeof (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda?.streamifyResponse === 'function'
    ? streamHandle(front)
    : undefined;
