/**
 * The one HTTP error type and its renderers. Route code throws `HttpError`; `app.onError` maps it (and any other
 * exception, as a non-exposed 500) into the dialect of the area the request was for:
 *   /v1, /metrics, …   JSON `{"error":{"code","message"}}`
 *   /s3                S3 XML `<Error><Code/><Message/><Resource/><RequestId/></Error>` (no body on HEAD)
 *   /redis             Upstash `{"error":"…"}`
 * `expose: false` errors never leak their message: clients see a generic text, the log sees the cause.
 */
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
    this.expose = opts.expose ?? status < 500;
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
  return new HttpError(500, 'InternalError', 'Internal Server Error', { expose: false, cause: err });
}

export function publicMessage(err: HttpError): string {
  return err.expose ? err.message : 'Internal Server Error';
}
