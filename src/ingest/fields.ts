/**
 * Field-level validation shared by the event parsers. Each returns the normalised value or undefined; callers turn
 * undefined into a rejection reason naming the field.
 */

/** S3 bucket naming rules (3–63 chars of lower-case letters, digits, dots and hyphens, starting and ending alnum). */
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function validBucket(v: unknown): string | undefined {
  return typeof v === 'string' && BUCKET_RE.test(v) ? v : undefined;
}

export const MAX_KEY_BYTES = 1024;

/** String.prototype.isWellFormed (ES2024, in Node 20): false when the string holds a lone surrogate. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Why a decoded key is unacceptable, or undefined when it is a valid S3 key (1..1024 bytes of UTF-8). A key with a
 * lone surrogate is reported as such whatever its length. A key of at most 341 UTF-16 code units is at most 1023
 * bytes of UTF-8, so only longer keys are measured.
 */
export function keyProblem(key: string): string | undefined {
  const n = key.length;
  if (n === 0) return 'empty object key';
  if (!isWellFormed(key)) return 'object key is not valid UTF-8';
  if (n * 3 <= MAX_KEY_BYTES) return undefined;
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `object key is ${bytes} bytes (max ${MAX_KEY_BYTES})`;
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
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** ETags lose surrounding quotes; anything printable up to 1 KiB is accepted. */
export function validEtag(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v;
  return s.length > 0 && s.length <= 1024 ? s : undefined;
}

/** A version id: a non-empty string (S3 uses 'null' for the null version). */
export function validVersionId(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 1024 ? v : undefined;
}

/** Times are stored as 48-bit ms counts (src/index/payload.ts): up to the year 10889. */
export const MAX_TIME_MS = 2 ** 48 - 1;

/**
 * ISO-8601 time → ms since the epoch (what Date.parse gives); undefined when unparsable, before 1970 or beyond
 * MAX_TIME_MS (Date.parse accepts years up to 275760).
 */
export function validTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const fast = utcIsoTime(v);
  if (fast >= 0) return fast;
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 && t <= MAX_TIME_MS ? t : undefined;
}

/** Value of the two decimal digits at s[i], s[i+1], or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The times S3 sends, `YYYY-MM-DDTHH:MM:SSZ` (EventBridge) and `YYYY-MM-DDTHH:MM:SS.sssZ` (classic notifications),
 * years 1970-9999, parsed without Date.parse; -1 for anything else (the caller falls back to Date.parse, which gives
 * the same value for these forms).
 */
export function utcIsoTime(s: string): number {
  const len = s.length;
  if (len !== 20 && len !== 24) return -1;
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(len - 1) !== 90
  )
    return -1;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const min = two(s, 14);
  const sec = two(s, 17);
  if (hi < 19 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59)
    return -1;
  if (sec < 0 || sec > 59) return -1;
  const year = hi * 100 + lo;
  if (year < 1970) return -1;
  let ms = 0;
  if (len === 24) {
    if (s.charCodeAt(19) !== 46) return -1;
    const a = two(s, 20);
    const b = s.charCodeAt(22) - 48;
    if (a < 0 || b < 0 || b > 9) return -1;
    ms = a * 10 + b;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month]!)) return -1;
  // days from 1970-01-01 to the date (Howard Hinnant's days_from_civil)
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + min) * 60000 + sec * 1000 + ms;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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
