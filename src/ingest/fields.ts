/**
 * Field-level validation shared by the event parsers. Each returns the normalised value or undefined; callers turn
 * undefined into a rejection reason naming the field.
 */

/** S3 bucket naming rules (3–63 chars of lower-case letters, digits, dots and hyphens, starting and ending alnum). */
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function validBucket(v: unknown): string | undefined {
  return typeof v === 'string' && BUCKET_RE.test(v) ? v : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const MAX_KEY_BYTES = 1024;

/** Why a decoded key is unacceptable, or undefined when it is a valid S3 key (1..1024 bytes of UTF-8). */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'empty object key';
  if (LONE_SURROGATE.test(key)) return 'object key is not valid UTF-8';
  const n = Buffer.byteLength(key, 'utf8');
  if (n > MAX_KEY_BYTES) return `object key is ${n} bytes (max ${MAX_KEY_BYTES})`;
  return undefined;
}

/**
 * Classic notifications form-URL-encode keys (space → '+', '+' → '%2B'): '+' becomes a space first, then
 * percent-decoding. Returns undefined on malformed escapes.
 */
export function decodeNotificationKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** A non-negative safe integer, also from a numeric string (emulators send strings). */
export function validSize(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** ETags lose surrounding quotes; anything printable up to 1 KiB is accepted. */
export function validEtag(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  return s.length > 0 && s.length <= 1024 ? s : undefined;
}

/** A version id: a non-empty string (S3 uses 'null' for the null version). */
export function validVersionId(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 1024 ? v : undefined;
}

/** ISO-8601 time → ms since the epoch. */
export function validTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 ? t : undefined;
}

/** A short printable token (storage class, access tier). */
export function validToken(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v) ? v : undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** undefined when absent (undefined/null), null when present but invalid, else the validated value. */
export function optional<T>(v: unknown, check: (v: unknown) => T | undefined): T | undefined | null {
  if (v === undefined || v === null) return undefined;
  const r = check(v);
  return r === undefined ? null : r;
}
