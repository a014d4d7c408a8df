/**
 * The one HTTP error type and its renderers. Route code throws `HttpError`; `app.onError` maps it (and any other
 * exception, as a non-exposed 500) into the dialect of the area the request was for:
 *   /v1, /metrics, …   JSON `{"error":{"code","message"}}`
 *   /s3                S3 XML `<Error><Code/><Message/><Resource/><RequestId/></Error>` (no body on HEAD)
 *   /redis             Upstash `{"error":"…"}`
 * `expose: false` errors never leak their message: clients see a generic text, the log sees the cause.
 * Exposed errors (4xx, 501) are failures the code raised on purpose: one log line each, without a stack
 * (`failureLogLine`); the others are bugs or I/O failures and keep their stack.
 */
import { IndexUnavailable } from '../service/object-index';

export class HttpError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  /** extra response headers (e.g. WWW-Authenticate) */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { expose?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    // 501 is a decision, not a failure: the client is told what is not implemented
    this.expose = opts.expose ?? (status < 500 || status === 501);
    this.headers = opts.headers ?? {};
  }
}

/** The frequent ones, so that the wording stays the same everywhere. */
export const badRequest = (message: string, code = 'InvalidArgument'): HttpError => new HttpError(400, code, message);
export const notFound = (message = 'Not Found', code = 'NotFound'): HttpError => new HttpError(404, code, message);
export const unauthorized = (): HttpError =>
  new HttpError(401, 'Unauthorized', 'Unauthorized', { headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (message = 'Forbidden'): HttpError => new HttpError(403, 'Forbidden', message);
export const payloadTooLarge = (limit: number): HttpError =>
  new HttpError(413, 'PayloadTooLarge', `request body exceeds ${limit} bytes`);

/** Anything that is not an HttpError is a bug or an I/O failure: a 500 that shows no detail. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof IndexUnavailable)
    return new HttpError(503, 'ServiceUnavailable', err.message, { cause: err, expose: true });
  // a write applied here but not made durable (persistence's CommitConflict, StoreUnavailable): not acknowledged
  if (err instanceof Error && (err.name === 'CommitConflict' || err.name === 'StoreUnavailable'))
    return new HttpError(503, 'ServiceUnavailable', 'The write could not be made durable. Please retry.', {
      cause: err,
      expose: true,
      headers: { 'Retry-After': '1' },
    });
  return new HttpError(500, 'InternalError', 'Internal Server Error', { expose: false, cause: err });
}

export function publicMessage(err: HttpError): string {
  return err.expose ? err.message : 'Internal Server Error';
}

/** The request a failure is logged with. */
export interface FailedRequest {
  readonly method: string;
  /** the request URL (absolute or path and query); its secrets are left out of the log */
  readonly url: string;
  readonly requestId?: string;
}

/** Query parameters whose values are credentials (presigned S3 URLs, tokens): logged as `***`. */
const SECRET_PARAM = /signature|credential|security-token|token|secret|password|auth/i;

/**
 * The request target as logged: the path and the query, with the values of credential-like parameters replaced by
 * `***`. The arguments of /redis's path form (`/redis/config/set/requirepass/…`) are values and may be passwords:
 * only the command name is kept.
 */
export function loggedTarget(url: string): string {
  const u = new URL(url, 'http://localhost');
  let path = u.pathname;
  const redis = /^\/redis\/([^/]+)\/./.exec(path);
  if (redis !== null && !['pipeline', 'multi-exec'].includes(redis[1]!)) path = `/redis/${redis[1]}/…`;
  if (u.search === '') return path;
  const query: string[] = [];
  for (const [name, value] of u.searchParams) {
    const shown = SECRET_PARAM.test(name) ? '***' : value;
    query.push(shown === '' ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(shown)}`);
  }
  return `${path}?${query.join('&')}`;
}

/**
 * The log entry of a failed request: `s3-index http: GET /s3/b/k 501 NotImplemented (request …)`. An exposed error
 * (4xx, 501) is that one line; anything else also carries the stack of what was thrown, on the lines after it.
 */
export function failureLogLine(req: FailedRequest, err: unknown): string {
  const e = toHttpError(err);
  const id = req.requestId === undefined ? '' : ` (request ${req.requestId})`;
  const line = `s3-index http: ${req.method} ${loggedTarget(req.url)} ${e.status} ${e.code}${id}`;
  if (e.expose) return line;
  const cause = err instanceof HttpError && err.cause !== undefined ? err.cause : err;
  const detail = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
  return `${line}: ${detail}`;
}
