/**
 * Request parameter validation shared by /v1 and /s3: bucket names, object keys from the raw (still
 * percent-encoded) path, listing parameters. Failures are HttpErrors with S3's codes, which /v1 reuses.
 */
import { keyProblem, MAX_KEY_BYTES, validBucket } from '../ingest/fields';
import { HttpError } from './errors';

export const invalidArgument = (message: string): HttpError => new HttpError(400, 'InvalidArgument', message);

export function checkBucket(name: string): string {
  if (validBucket(name) === undefined) {
    throw new HttpError(400, 'InvalidBucketName', 'The specified bucket is not valid.');
  }
  return name;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidArgument('Malformed percent-encoding in the request path');
  }
}

/**
 * Path segments `from` onwards of a raw (still percent-encoded) pathname, joined with '/' and percent-decoded:
 * an object key keeps every '/' (also doubled or trailing ones), and '%2F' decodes to '/' as well.
 */
export function rawPathTail(pathname: string, from: number): string {
  return decodeSegment(pathname.split('/').slice(from).join('/'));
}

/** The bucket in segment `at` of a raw pathname, validated. */
export function pathBucket(pathname: string, at: number): string {
  return checkBucket(decodeSegment(pathname.split('/')[at] ?? ''));
}

export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem === undefined) return key;
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw new HttpError(400, 'KeyTooLongError', 'Your key is too long');
  throw invalidArgument(problem);
}

/** prefix, start-after, delimiter: at most 1024 bytes of valid UTF-8 (an empty value is allowed). */
export function checkText(name: string, v: string | null): string | undefined {
  if (v === null) return undefined;
  if (v !== '' && keyProblem(v) !== undefined)
    throw invalidArgument(`Invalid ${name}: at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  return v;
}

/** max-keys: a decimal integer in [0, max]; `clamp` lowers larger values to `max` (S3) instead of refusing (JSON). */
export function parseMaxKeys(v: string | null, fallback: number, max: number, clamp: boolean): number {
  if (v === null) return fallback;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 2147483647) {
    throw invalidArgument('Provided max-keys not an integer or within integer range');
  }
  const n = Number(v);
  if (n > max && !clamp) throw invalidArgument(`max-keys must be between 0 and ${max}`);
  return Math.min(n, max);
}
