/**
 * JSON renderings of listings written straight from the B+tree's leaf bytes (listRaw's RowMaker): no ListedEntry,
 * no key/ETag/date strings per object. The output is byte for byte what JSON.stringify of the same fields gives
 * (the /v1 page shape, and NDJSON lines for the export); test/http/json-list-render.test.ts compares the two.
 *
 *   - keys: UTF-8 bytes JSON-escaped in place ('"', '\\', control characters; bytes ≥ 0x80 copied as they are,
 *     after checking the key is valid UTF-8 — an invalid key takes the string path, which renders U+FFFD exactly
 *     as Buffer#toString does);
 *   - the common payload form (md5 ETag, packed sequencer, enum storage class, no version id) is read in place;
 *     every other form goes through decodeListingFields;
 *   - lastModified: Date#toISOString computed with integer arithmetic (years 1970-9999; other values use Date).
 * The page writers (jsonListPage, ndjsonPage) only turn rows into bytes: whoever holds the index (an ObjectIndex's
 * listRaw, or listRawPage on a database) lists with their RowMaker, once per page.
 */
import { isUtf8 } from 'node:buffer';
import {
  encodeContinuationToken,
  type ListedObject,
  type ListOptions,
  listRawPage,
  type PageBounds,
  type RawListOptions,
  type RawPage,
  type Result,
  type RowMaker,
} from '../index/list';
import { commonForm, decodeListingFields, readCommonForm, STORAGE_CLASSES } from '../index/payload';
import type { IndexScope } from '../index/store';

/** A growing output buffer. */
export class ByteSink {
  buf: Buffer;
  pos = 0;

  /** `size`: the initial capacity; `alloc`: where it comes from (default: a new allocation) */
  constructor(size = 64 * 1024, alloc: (size: number) => Buffer = Buffer.allocUnsafe) {
    this.buf = alloc(size);
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** ASCII/latin1 text (constants, digits). */
  ascii(s: string): void {
    this.ensure(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** A copy of what was written (exactly sized). */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

// --- scalar renderings (string forms, shared with the slow paths and the single-object route) --------------------

const DAY_MS = 86_400_000;
/** 10000-01-01: from there on toISOString writes 6-digit years */
export const MAX_ISO_MS = 253_402_300_800_000;

/** "00".."99" */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** The date part "YYYY-MM-DDT" of the last day rendered (rows of one page often share days). */
let lastDay = -1;
const lastDayBytes = new Uint8Array(11);

function setDay(days: number): void {
  // civil_from_days (H. Hinnant) for days ≥ 0 since 1970-01-01; every intermediate fits in 32 bits
  const z = days + 719_468;
  const era = (z / 146_097) | 0;
  const doe = z - era * 146_097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36_524) | 0) - ((doe / 146_096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  const d = doy - (((153 * mp + 2) / 5) | 0) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const b = lastDayBytes;
  const hi = (y / 100) | 0;
  const lo = y - hi * 100;
  b[0] = DIGIT_PAIRS[2 * hi]!;
  b[1] = DIGIT_PAIRS[2 * hi + 1]!;
  b[2] = DIGIT_PAIRS[2 * lo]!;
  b[3] = DIGIT_PAIRS[2 * lo + 1]!;
  b[4] = 45; // -
  b[5] = DIGIT_PAIRS[2 * m]!;
  b[6] = DIGIT_PAIRS[2 * m + 1]!;
  b[7] = 45;
  b[8] = DIGIT_PAIRS[2 * d]!;
  b[9] = DIGIT_PAIRS[2 * d + 1]!;
  b[10] = 84; // T
  lastDay = days;
}

/** Date#toISOString for ms in [0, MAX_ISO_MS) written at out[p] (24 bytes); returns the new position. */
export function writeIso(out: Uint8Array, p: number, ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  let r = ms - days * DAY_MS; // < 2^27: integer arithmetic from here
  if (days !== lastDay) setDay(days);
  const b = lastDayBytes;
  for (let i = 0; i < 11; i++) out[p + i] = b[i]!;
  const h = (r / 3_600_000) | 0;
  r -= h * 3_600_000;
  const mi = (r / 60_000) | 0;
  r -= mi * 60_000;
  const sec = (r / 1000) | 0;
  r -= sec * 1000;
  const cs = (r / 10) | 0;
  out[p + 11] = DIGIT_PAIRS[2 * h]!;
  out[p + 12] = DIGIT_PAIRS[2 * h + 1]!;
  out[p + 13] = 58; // :
  out[p + 14] = DIGIT_PAIRS[2 * mi]!;
  out[p + 15] = DIGIT_PAIRS[2 * mi + 1]!;
  out[p + 16] = 58;
  out[p + 17] = DIGIT_PAIRS[2 * sec]!;
  out[p + 18] = DIGIT_PAIRS[2 * sec + 1]!;
  out[p + 19] = 46; // .
  out[p + 20] = DIGIT_PAIRS[2 * cs]!;
  out[p + 21] = DIGIT_PAIRS[2 * cs + 1]!;
  out[p + 22] = 48 + (r - cs * 10);
  out[p + 23] = 90; // Z
  return p + 24;
}

const ISO_SCRATCH = Buffer.alloc(24);

/** Date#toISOString of ms since the epoch, without a Date for the usual range. */
export function isoTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < MAX_ISO_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  writeIso(ISO_SCRATCH, 0, ms);
  return ISO_SCRATCH.toString('latin1', 0, 24);
}

/** JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
export const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const jsonOrNull = (s: string | undefined): string => (s === undefined ? 'null' : jsonString(s));

/** The fields an object rendering shows: a listed object's (HeadResult has them too); etag without quotes. */
export type JsonObjectFields = Omit<ListedObject, 'version'>;

/** One object as JSON text: {"key","size","etag","lastModified","storageClass","versionId"}. */
export function objectJson(o: JsonObjectFields): string {
  return (
    `{"key":${jsonString(o.key)},"size":${o.size},"etag":${jsonOrNull(o.etag)},"lastModified":"${isoTimestamp(o.lastModified)}",` +
    `"storageClass":${jsonString(o.storageClass)},"versionId":${jsonOrNull(o.versionId)}}`
  );
}

// --- byte-level row rendering -----------------------------------------------------------------------------------

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** the two hex digits of each byte value */
const HEX_PAIRS = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  HEX_PAIRS[2 * i] = HEX[i >> 4]!;
  HEX_PAIRS[2 * i + 1] = HEX[i & 15]!;
}

/**
 * Everything after the size for each enum storage class (no version id), copied in one piece; the ETag and date
 * placeholders are overwritten in place.
 */
const ETAG_AT = ',"etag":"'.length;
const DATE_AT = ETAG_AT + 32 + '","lastModified":"'.length;
const TAILS = STORAGE_CLASSES.map((c) =>
  Buffer.from(
    `,"etag":"${'0'.repeat(32)}","lastModified":"${'0'.repeat(24)}","storageClass":"${c}","versionId":null}`,
    'latin1',
  ),
);
const KEY_HEAD = Buffer.from('{"key":"', 'latin1');
const SIZE_HEAD = Buffer.from('","size":', 'latin1');

/** Escapes for bytes < 0x20, '"' and '\\' (as JSON.stringify writes them); undefined for bytes copied as is. */
const ESCAPES: Array<Buffer | undefined> = [];
for (let c = 0; c < 0x80; c++) {
  if (c < 0x20 || c === 0x22 || c === 0x5c)
    ESCAPES[c] = Buffer.from(JSON.stringify(String.fromCharCode(c)).slice(1, -1));
}
/** 1 where the byte needs an escape (< 0x20, '"', '\\') or a UTF-8 check (≥ 0x80) */
const SPECIAL = new Uint8Array(256);
for (let c = 0; c < 256; c++) SPECIAL[c] = c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80 ? 1 : 0;

/** The 32 lower-case hex digits of the 16 bytes at buf[q], written at out[at]. */
export function putMd5Hex(out: Buffer, at: number, buf: Buffer, q: number): void {
  for (let i = 0; i < 16; i++) {
    const v = buf[q + i]! << 1;
    out[at++] = HEX_PAIRS[v]!;
    out[at++] = HEX_PAIRS[v + 1]!;
  }
}

/** Copies `src` (a constant) to out[p]; returns the new position. */
export function put(out: Buffer, p: number, src: Buffer): number {
  for (let i = 0; i < src.length; i++) out[p + i] = src[i]!;
  return p + src.length;
}

/** Decimal digits of a non-negative integer (< 2^53) at out[p]; returns the new position. */
export function putUint(out: Buffer, p: number, n: number): number {
  if (n < 10) {
    out[p] = 48 + n;
    return p + 1;
  }
  if (n >= 0x40000000) return p + out.write(String(n), p, 'latin1');
  let digits = 1;
  for (let t = n; t >= 10; t = (t / 10) | 0) digits++;
  let q = n;
  for (let i = p + digits - 1; i >= p; i--) {
    const next = (q / 10) | 0;
    out[i] = 48 + (q - next * 10);
    q = next;
  }
  return p + digits;
}

/**
 * The contents of a JSON string literal (without quotes) for the UTF-8 bytes src[s, e) at sink.pos, exactly as
 * JSON.stringify(src.toString('utf8', s, e)) writes them. The sink has room for 6 bytes per source byte.
 */
function putKey(sink: ByteSink, src: Buffer, s: number, e: number): void {
  const out = sink.buf;
  const start = sink.pos;
  let p = start;
  let nonAscii = false;
  for (let i = s; i < e; i++) {
    const c = src[i]!;
    if (SPECIAL[c] === 0) {
      out[p++] = c;
    } else if (c >= 0x80) {
      nonAscii = true;
      out[p++] = c;
    } else {
      p = put(out, p, ESCAPES[c]!);
    }
  }
  if (nonAscii && !isUtf8(src.subarray(s, e))) {
    // invalid UTF-8 (only possible through raw engine writes): render what the string path renders
    const lit = JSON.stringify(src.toString('utf8', s, e));
    sink.pos = start;
    sink.ensure(lit.length * 3);
    sink.pos += sink.buf.write(lit.slice(1, -1), sink.pos, 'utf8');
    return;
  }
  sink.pos = p;
}

/** Copies the bytes src[s, e) of a plain key (nothing to escape or check: TreeCursor.stablePlain) to out[p]. */
export function copyPlain(out: Buffer, p: number, src: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) out[p++] = src[i]!;
  return p;
}

/**
 * Room a common-form row needs besides its key (6 bytes per key byte): its markup, a size of up to 16 digits, and the
 * longest tail (ETag, date, class, version id). Every row reserves it before writing: the tail is copied whole.
 */
const ROW_FIXED = KEY_HEAD.length + SIZE_HEAD.length + 16 + Math.max(...TAILS.map((t) => t.length));

/**
 * One object row `{"key":…,"versionId":…}` at the sink's position, from a listing row: key at buf[ks, ke), payload
 * at buf[vs, ve) (vs < 0: none); `plain`: the key is copied without looking at its bytes (see RowMaker).
 */
export function putObjectRow(
  sink: ByteSink,
  buf: Buffer,
  ks: number,
  ke: number,
  vs: number,
  ve: number,
  plain = false,
): void {
  sink.ensure(ROW_FIXED + 6 * (ke - ks));
  let out = sink.buf;
  let p = put(out, sink.pos, KEY_HEAD);
  if (plain) {
    p = copyPlain(out, p, buf, ks, ke);
  } else {
    sink.pos = p;
    putKey(sink, buf, ks, ke);
    out = sink.buf;
    p = sink.pos;
  }
  if (vs >= 0 && readCommonForm(buf, vs, ve) && commonForm.lastModified < MAX_ISO_MS) {
    // the common form: the tail of its storage class copied in one piece, ETag and date written over it
    const q = commonForm.etagAt;
    p = put(out, p, SIZE_HEAD);
    p = putUint(out, p, commonForm.size);
    const tail = TAILS[commonForm.storageClass]!;
    out.set(tail, p);
    putMd5Hex(out, p + ETAG_AT, buf, q);
    writeIso(out, p + DATE_AT, commonForm.lastModified);
    sink.pos = p + tail.length;
    return;
  }
  // any other form: the decoded fields as strings
  const f =
    vs < 0
      ? { size: 0, etag: undefined, lastModified: 0, storageClass: 'STANDARD', versionId: undefined }
      : decodeListingFields(buf, vs, ve);
  sink.pos = p;
  sink.utf8(
    `","size":${f.size},"etag":${jsonOrNull(f.etag)},"lastModified":"${isoTimestamp(f.lastModified)}",` +
      `"storageClass":${jsonString(f.storageClass)},"versionId":${jsonOrNull(f.versionId)}}`,
  );
}

/** A JSON string literal of UTF-8 bytes (a common prefix) at the sink's position. */
function putBytesString(sink: ByteSink, b: Buffer): void {
  sink.ensure(2 + 6 * b.length);
  sink.buf[sink.pos++] = 0x22;
  putKey(sink, b, 0, b.length);
  sink.ensure(1);
  sink.buf[sink.pos++] = 0x22;
}

// --- pages --------------------------------------------------------------------------------------------------------

/** Output room per row guessed for a page's first allocation (typical rows take ~200 bytes). */
const ROW_GUESS = 224;
/** the longest continuation token: base64url of a version byte and a 1024-byte key */
export const MAX_TOKEN_CHARS = Math.ceil((1025 * 4) / 3);

/**
 * A page being written from one listRaw call: `row` is the RowMaker to list with (it writes each object as it is
 * listed), `finish` writes the rest from the raw page once the listing is done and returns the bytes.
 */
export interface PageWriter {
  readonly row: RowMaker<number>;
  finish(raw: RawPage<number>): Buffer;
}

/**
 * One /v1 listing page as JSON bytes:
 * {"bucket","prefix","delimiter","keyCount","isTruncated","nextContinuationToken","objects":[…],"commonPrefixes":[…]}
 * The output buffer is taken from `alloc` on the first row (or at finish), so a listing that fails takes none; the
 * result is a view of it unless rendering outgrew it.
 */
export function jsonListPage(
  bucket: string,
  opts: ListOptions & { readonly maxKeys: number },
  alloc?: (size: number) => Buffer,
): PageWriter {
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter || undefined;
  // the objects are rendered after room for the head, which is written last (it holds the count and the token)
  const headStart = `{"bucket":${JSON.stringify(bucket)},"prefix":${JSON.stringify(prefix)},"delimiter":${jsonOrNull(delimiter)},`;
  const headroom = 3 * headStart.length + 96 + MAX_TOKEN_CHARS;
  const capacity = headroom + Math.min(opts.maxKeys, 10_000) * ROW_GUESS + 64;
  let sink: ByteSink | undefined;
  const open = (): ByteSink => {
    const s = new ByteSink(capacity, alloc);
    s.pos = headroom;
    sink = s;
    return s;
  };
  let rows = 0;
  const row: RowMaker<number> = (buf, ks, ke, vs, ve, _text, plain) => {
    let s = sink;
    if (s === undefined) s = open();
    else {
      s.ensure(1);
      s.buf[s.pos++] = 0x2c;
    }
    rows++;
    putObjectRow(s, buf, ks, ke, vs, ve, plain);
    return 0;
  };
  const finish = (raw: RawPage<number>): Buffer => {
    const s = sink ?? open();
    s.ascii('],"commonPrefixes":[');
    raw.prefixes.forEach((cp, i) => {
      if (i > 0) s.ascii(',');
      putBytesString(s, cp);
    });
    s.ascii(']}');
    const next = raw.truncated && raw.last ? encodeContinuationToken(raw.last) : undefined;
    const head =
      `${headStart}"keyCount":${rows + raw.prefixes.length},"isTruncated":${raw.truncated},` +
      `"nextContinuationToken":${jsonOrNull(next)},"objects":[`;
    const headBytes = Buffer.byteLength(head, 'utf8');
    const start = headroom - headBytes;
    s.buf.write(head, start, headBytes, 'utf8');
    return s.buf.subarray(start, s.pos);
  };
  return { row, finish };
}

/**
 * One /v1 listing page of a database's index as JSON bytes (jsonListPage over listRawPage), with ListObjectsV2
 * semantics: listObjectsV2's parameters and errors (max-keys checked, not capped).
 */
export function renderListPageJson(
  scope: IndexScope,
  bucket: string,
  opts: ListOptions & { readonly maxKeys: number },
  /** where the output buffer comes from (the result is a view of it unless rendering outgrew it) */
  alloc?: (size: number) => Buffer,
  /** filled with the keys the page depends on */
  bounds?: PageBounds,
): Result<Buffer> {
  const page = jsonListPage(bucket, opts, alloc);
  const raw = listRawPage(scope, bucket, opts, page.row, bounds);
  return raw.ok ? { ok: true, value: page.finish(raw.value) } : raw;
}

/**
 * The NDJSON export: every object under the prefix, one line each (with a delimiter, {"commonPrefix"} lines merged
 * in listing order), as chunks of one page of `pageSize` rows each. Each page is listed afresh from the position
 * after the previous one (like continuation tokens), so the index is free between chunks and may change. An export
 * lists with ndjsonPageOptions(opts, pageSize, after) and writes each page with ndjsonPage; `after` is the previous
 * raw page's `last`, and the export ends after a page that is not truncated.
 */
export function ndjsonPageOptions(
  opts: Pick<ListOptions, 'prefix' | 'delimiter' | 'startAfter'>,
  pageSize: number,
  after: Buffer | undefined,
): RawListOptions {
  const { prefix, delimiter, startAfter } = opts;
  return after === undefined
    ? { prefix, delimiter, startAfter, maxKeys: pageSize }
    : { prefix, delimiter, after, maxKeys: pageSize };
}

/** One page of the NDJSON export (see ndjsonPageOptions); `delimiter`: whether the listing has one. */
export function ndjsonPage(delimiter: boolean, pageSize: number): PageWriter {
  const sink = new ByteSink(pageSize * ROW_GUESS + 4096);
  if (!delimiter) {
    return {
      row: (buf, ks, ke, vs, ve, _text, plain) => {
        putObjectRow(sink, buf, ks, ke, vs, ve, plain);
        sink.ensure(1);
        sink.buf[sink.pos++] = 0x0a;
        return 0;
      },
      finish: () => sink.buf.subarray(0, sink.pos),
    };
  }
  // rows rendered as they come, remembered with their key; merged with the common prefixes by byte order
  const rows: Array<{ key: Buffer; start: number; end: number }> = [];
  const lines = new ByteSink(pageSize * ROW_GUESS + 4096);
  return {
    row: (buf, ks, ke, vs, ve, _text, plain) => {
      const start = lines.pos;
      putObjectRow(lines, buf, ks, ke, vs, ve, plain);
      rows.push({ key: buf.subarray(ks, ke), start, end: lines.pos });
      return 0;
    },
    finish: (page) => {
      let i = 0;
      let j = 0;
      while (i < rows.length || j < page.prefixes.length) {
        const r = rows[i];
        const cp = page.prefixes[j];
        if (r !== undefined && (cp === undefined || Buffer.compare(r.key, cp) < 0)) {
          sink.bytes(lines.buf.subarray(r.start, r.end));
          i++;
        } else {
          sink.ascii('{"commonPrefix":');
          putBytesString(sink, cp!);
          sink.ascii('}');
          j++;
        }
        sink.ensure(1);
        sink.buf[sink.pos++] = 0x0a;
      }
      return sink.buf.subarray(0, sink.pos);
    },
  };
}

/** The NDJSON export of a database's index (see ndjsonPageOptions); nothing when the bucket does not exist. */
export function* ndjsonChunks(
  scopeAt: () => IndexScope,
  bucket: string,
  opts: Pick<ListOptions, 'prefix' | 'delimiter' | 'startAfter'> = {},
  pageSize = 10_000,
): Generator<Buffer, void, undefined> {
  let after: Buffer | undefined;
  for (;;) {
    const page = ndjsonPage(!!opts.delimiter, pageSize);
    const raw = listRawPage(scopeAt(), bucket, ndjsonPageOptions(opts, pageSize, after), page.row);
    if (!raw.ok) return;
    const chunk = page.finish(raw.value);
    if (chunk.length > 0) yield chunk;
    if (!raw.value.truncated || raw.value.last === undefined) return;
    after = raw.value.last;
  }
}
