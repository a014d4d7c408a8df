/**
 * Lambda entry points for the HTTP API: the same app as `s3-index serve`, wrapped by hono's aws-lambda adapter.
 * Dependencies are built once per container, at module scope.
 *
 *   handler           API Gateway HTTP API (payload format 2.0): buffered responses (Lambda caps them at 6 MB,
 *                     so a large NDJSON export needs the streaming handler);
 *   streamingHandler  a Function URL (or API Gateway REST API) with response streaming (InvokeMode
 *                     RESPONSE_STREAM): the body is piped as the app produces it, so the NDJSON export streams page
 *                     by page. It exists only inside the Lambda runtime, which provides the `awslambda` global.
 */
import { handle, streamHandle } from 'hono/aws-lambda';
import { systemClock } from '../engine/clock';
import { createApp } from '../http/app';
import { httpConfigFromEnv } from '../http/config';
import { createEngine } from '../service/create-engine';
import { S3Index } from '../service/s3-index';

const engine = createEngine({ clock: systemClock });
const index = new S3Index(engine);
const app = createApp({ engine, index, config: httpConfigFromEnv(process.env), clock: systemClock });

export const handler = handle(app);

export const streamingHandler: ReturnType<typeof streamHandle> | undefined =
  'awslambda' in globalThis ? streamHandle(app) : undefined;
