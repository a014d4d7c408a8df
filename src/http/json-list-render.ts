/**
 * The /v1 JSON renderings of listings, written straight from the B+tree's leaf bytes (listRaw's RowMaker): no
 * ListedObject, no key/ETag/date strings per object. The output is byte for byte what JSON.stringify of the same
 * fields gives (the /v1 page shape, and NDJSON lines for the export); test/http/json-list-render.test.ts compares the
 * two.
 *
 *   - keys: UTF-8 bytes JSON-escaped in place ('"', '\\', control characters; bytes ≥ 0x80 copied as they are,
 *     after checking the key is valid UTF-8 — an invalid key takes the string path, which renders U+FFFD exactly
 *     as Buffer#toString does);
 *   - the common payload form (md5 ETag, packed sequencer, enum storage class, no version id) is read in place;
 *     every other form goes through decodeListingFields;
 *   - lastModified: Date#toISOString computed with integer arithmetic (years 1970-9999; other values use Date).
 * The page writers (jsonListPage, ndjsonPage) only turn rows into bytes: whoever holds the index (an ObjectIndex's
 * listRaw, or listRawPage on a database) lists with their RowMaker, once per page. The byte writers are shared with
 * the XML document (render-bytes.ts).
 */
import { isUtf8 } from 'node:buffer';
import {
  encodeContinuationToken,
  type ListedObject,
  type ListOptions,
  listRawPage,
  type PageBounds,
  type RawListOptions,
  type Result,
} from '../index/list';
import { commonForm, readCommonForm, STORAGE_CLASSES } from '../index/payload';
import type { IndexScope } from '../index/store';
import type { PageWriter, RowWriter } from './render-bytes';
import {
  ByteSink,
  copyPlain,
  FramedPage,
  isoTimestamp,
  MAX_ISO_MS,
  put,
  putMd5Hex,
  putUint,
  rowFields,
} from './render-bytes';

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

/**
 * Room a common-form row needs besides its key (6 bytes per key byte): its markup, a size of up to 16 digits, and the
 * longest tail (ETag, date, class, version id). Every row reserves it before writing: the tail is copied whole.
 */
const ROW_FIXED = KEY_HEAD.length + SIZE_HEAD.length + 16 + Math.max(...TAILS.map((t) => t.length));

/** One object row `{"key":…,"versionId":…}`. */
export const putObjectRow: RowWriter = (sink, buf, ks, ke, vs, ve, plain = false) => {
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
    sink.dates.write(out, p + DATE_AT, commonForm.lastModified);
    sink.pos = p + tail.length;
    return;
  }
  // any other form: the decoded fields as strings
  const f = rowFields(buf, vs, ve);
  sink.pos = p;
  sink.utf8(
    `","size":${f.size},"etag":${jsonOrNull(f.etag)},"lastModified":"${sink.dates.text(f.lastModified)}",` +
      `"storageClass":${jsonString(f.storageClass)},"versionId":${jsonOrNull(f.versionId)}}`,
  );
};

/** A JSON string literal of UTF-8 bytes (a common prefix) at the sink's position. */
function putBytesString(sink: ByteSink, b: Buffer): void {
  sink.ensure(2 + 6 * b.length);
  sink.buf[sink.pos++] = 0x22;
  putKey(sink, b, 0, b.length);
  sink.byte(0x22);
}

// --- pages --------------------------------------------------------------------------------------------------------

/** Output room per row guessed for a page's first allocation (typical rows take ~200 bytes). */
const ROW_GUESS = 224;

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
  const out = new FramedPage(3 * headStart.length + 96, Math.min(opts.maxKeys, 10_000) * ROW_GUESS + 64, alloc);
  let rows = 0;
  const row: PageWriter['row'] = (buf, ks, ke, vs, ve, _text, plain) => {
    const s = out.body();
    if (rows > 0) s.byte(0x2c);
    rows++;
    putObjectRow(s, buf, ks, ke, vs, ve, plain);
    return 0;
  };
  const finish: PageWriter['finish'] = (raw) => {
    const s = out.body();
    s.ascii('],"commonPrefixes":[');
    raw.prefixes.forEach((cp, i) => {
      if (i > 0) s.ascii(',');
      putBytesString(s, cp);
    });
    s.ascii(']}');
    const next = raw.truncated && raw.last ? encodeContinuationToken(raw.last) : undefined;
    return out.finish(
      `${headStart}"keyCount":${rows + raw.prefixes.length},"isTruncated":${raw.truncated},` +
        `"nextContinuationToken":${jsonOrNull(next)},"objects":[`,
    );
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
        sink.byte(0x0a);
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
        sink.byte(0x0a);
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
