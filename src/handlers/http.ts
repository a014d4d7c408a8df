/**
 * Lambda entry point for the HTTP API (API Gateway HTTP API, payload format 2.0): the same app as `s3-index serve`,
 * wrapped by hono's aws-lambda adapter. Dependencies are built once per container, at module scope.
 */
import { handle } from 'hono/aws-lambda';
import { systemClock } from '../engine/clock';
import { createApp } from '../http/app';
import { httpConfigFromEnv } from '../http/config';
import { createEngine } from '../service/create-engine';

const engine = createEngine({ clock: systemClock });
const app = createApp({ engine, config: httpConfigFromEnv(process.env), clock: systemClock });

export const handler = handle(app);
