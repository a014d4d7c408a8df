/**
 * The S3 ListObjectsV2 document (`ListBucketResult`) written straight from the stored bytes (the rows of the index's
 * listRaw), like the JSON page (json-list-render.ts, with which it shares the byte writers of render-bytes.ts): byte
 * for byte what listObjectsV2Xml (s3-xml.ts) renders from a ListPage, which test/http/s3-list-render.test.ts keeps as
 * the reference.
 *   - keys: XML-escaped from their UTF-8 bytes, or with encoding-type=url percent-encoded (unreserved characters
 *     and '/' kept); a key that is not valid UTF-8 takes the string path;
 *   - the common payload form (md5 ETag, packed sequencer, enum storage class) is read in place, others decoded.
 */
import { isUtf8 } from 'node:buffer';
import { encodeContinuationToken, type ListOptions, type PageBounds, type Result } from '../index/list';
import { commonForm, readCommonForm, STORAGE_CLASSES } from '../index/payload';
import type { ImmediateRawLister } from '../service/object-index';
import type { ByteSink, PageWriter, RowWriter } from './render-bytes';
import { copyPlain, FramedPage, MAX_ISO_MS, put, putMd5Hex, putUint, rowFields } from './render-bytes';
import { quotedEtag, s3UrlEncode } from './s3-xml';
import { S3_XMLNS, XML_DECLARATION, xmlEscape } from './xml';

/** XML escapes by byte (as xmlEscape writes them); undefined: copied as is */
const XML_ESCAPES: Array<Buffer | undefined> = [];
for (let c = 0; c < 0x80; c++) {
  const ch = String.fromCharCode(c);
  const e = xmlEscape(ch);
  if (e !== ch) XML_ESCAPES[c] = Buffer.from(e, 'latin1');
}
/** 1: escape (XML mode); 2: byte ≥ 0x80 (UTF-8 check) */
const XML_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) XML_CLASS[c] = c >= 0x80 ? 2 : XML_ESCAPES[c] !== undefined ? 1 : 0;
/** 1 where encoding-type=url keeps the byte (unreserved characters and '/') */
const URL_KEEP = new Uint8Array(256);
for (let c = 0; c < 0x80; c++) URL_KEEP[c] = /[A-Za-z0-9\-_.~/]/.test(String.fromCharCode(c)) ? 1 : 0;
const UPPER_HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/** A key's text at the sink's position (room for 6 bytes per key byte already made). */
function putXmlKey(sink: ByteSink, src: Buffer, s: number, e: number, url: boolean): void {
  const out = sink.buf;
  const start = sink.pos;
  let p = start;
  let nonAscii = false;
  if (url) {
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      if (URL_KEEP[c] === 1) out[p++] = c;
      else {
        if (c >= 0x80) nonAscii = true;
        out[p] = 37; // %
        out[p + 1] = UPPER_HEX[c >> 4]!;
        out[p + 2] = UPPER_HEX[c & 15]!;
        p += 3;
      }
    }
  } else {
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      const k = XML_CLASS[c];
      if (k === 0) out[p++] = c;
      else if (k === 2) {
        nonAscii = true;
        out[p++] = c;
      } else p = put(out, p, XML_ESCAPES[c]!);
    }
  }
  if (nonAscii && !isUtf8(src.subarray(s, e))) {
    // not valid UTF-8 (raw engine writes only): what the string path renders
    const str = src.toString('utf8', s, e);
    sink.pos = start;
    sink.utf8(xmlEscape(url ? s3UrlEncode(str) : str));
    return;
  }
  sink.pos = p;
}

const CONTENTS_HEAD = Buffer.from('<Contents><Key>', 'latin1');
/** after the key: date and ETag placeholders overwritten in place, then the size */
const MIDDLE = Buffer.from(
  `</Key><LastModified>${'0'.repeat(24)}</LastModified><ETag>&quot;${'0'.repeat(32)}&quot;</ETag><Size>`,
  'latin1',
);
const MID_DATE_AT = '</Key><LastModified>'.length;
const MID_ETAG_AT = MID_DATE_AT + 24 + '</LastModified><ETag>&quot;'.length;
const CLASS_TAILS = STORAGE_CLASSES.map((c) =>
  Buffer.from(`</Size><StorageClass>${c}</StorageClass></Contents>`, 'latin1'),
);

/**
 * Room a common-form `<Contents>` needs besides its key (6 bytes per key byte): its markup, a size of up to 16 digits
 * and the longest class tail.
 */
const CONTENTS_FIXED = CONTENTS_HEAD.length + MIDDLE.length + 16 + Math.max(...CLASS_TAILS.map((t) => t.length));

/** `<Contents>` elements, with keys XML-escaped or (`url`) percent-encoded for encoding-type=url. */
function contentsWriter(url: boolean): RowWriter {
  return (sink, buf, ks, ke, vs, ve, plain = false) => {
    sink.ensure(CONTENTS_FIXED + 6 * (ke - ks));
    sink.pos = put(sink.buf, sink.pos, CONTENTS_HEAD);
    if (plain && !url) sink.pos = copyPlain(sink.buf, sink.pos, buf, ks, ke);
    else putXmlKey(sink, buf, ks, ke, url);
    const out = sink.buf;
    const p = sink.pos;
    if (vs >= 0 && readCommonForm(buf, vs, ve) && commonForm.lastModified < MAX_ISO_MS) {
      // the common form: constant markup copied in one piece, date and ETag written over its placeholders
      out.set(MIDDLE, p);
      sink.dates.write(out, p + MID_DATE_AT, commonForm.lastModified);
      putMd5Hex(out, p + MID_ETAG_AT, buf, commonForm.etagAt);
      let r = putUint(out, p + MIDDLE.length, commonForm.size);
      r = put(out, r, CLASS_TAILS[commonForm.storageClass]!);
      sink.pos = r;
      return;
    }
    const f = rowFields(buf, vs, ve);
    sink.utf8(
      `</Key><LastModified>${sink.dates.text(f.lastModified)}</LastModified><ETag>${xmlEscape(quotedEtag(f.etag))}</ETag>` +
        `<Size>${f.size}</Size><StorageClass>${xmlEscape(f.storageClass)}</StorageClass></Contents>`,
    );
  };
}

/** One `<Contents>` element (see RowWriter), its key XML-escaped. */
export const putContents: RowWriter = contentsWriter(false);
/** One `<Contents>` element (see RowWriter), its key percent-encoded (encoding-type=url). */
export const putContentsUrl: RowWriter = contentsWriter(true);

const el = (name: string, value: string): string => `<${name}>${xmlEscape(value)}</${name}>`;

export interface XmlListOptions extends ListOptions {
  readonly maxKeys: number;
  readonly encodingUrl: boolean;
}

/**
 * One ListObjectsV2 `ListBucketResult` document being written (maxKeys already validated and capped by the caller):
 * list with `row`, then `finish`. The output buffer is taken from `alloc` on the first row (or at finish), so a
 * listing that fails takes none; the result is a view of it unless rendering outgrew it.
 */
export function xmlListPage(bucket: string, opts: XmlListOptions, alloc?: (size: number) => Buffer): PageWriter {
  const url = opts.encodingUrl;
  const enc = url ? s3UrlEncode : (s: string): string => s;
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter || undefined;
  let headStart =
    `${XML_DECLARATION}<ListBucketResult xmlns="${S3_XMLNS}">${el('Name', bucket)}${el('Prefix', enc(prefix))}` +
    (delimiter !== undefined ? el('Delimiter', enc(delimiter)) : '') +
    el('MaxKeys', String(opts.maxKeys));
  if (url) headStart += '<EncodingType>url</EncodingType>';
  const startAfter = opts.continuationToken === undefined ? opts.startAfter : undefined;
  const headEnd =
    (opts.continuationToken !== undefined ? el('ContinuationToken', opts.continuationToken) : '') +
    (startAfter !== undefined ? el('StartAfter', enc(startAfter)) : '');
  // the head (count, truncation, token) is written last, in front of the contents
  const out = new FramedPage(
    3 * (headStart.length + headEnd.length) + 128,
    Math.min(opts.maxKeys, 1000) * 256 + 64,
    alloc,
  );
  const putRow = url ? putContentsUrl : putContents;
  let rows = 0;
  const row: PageWriter['row'] = (buf, ks, ke, vs, ve, _text, plain) => {
    rows++;
    putRow(out.body(), buf, ks, ke, vs, ve, plain);
    return 0;
  };
  const finish: PageWriter['finish'] = (raw) => {
    const s = out.body();
    for (const cp of raw.prefixes) {
      s.ensure(40 + 6 * cp.length);
      s.ascii('<CommonPrefixes><Prefix>');
      putXmlKey(s, cp, 0, cp.length, url);
      s.ascii('</Prefix></CommonPrefixes>');
    }
    s.ascii('</ListBucketResult>');
    const next = raw.truncated && raw.last ? encodeContinuationToken(raw.last) : undefined;
    return out.finish(
      `${headStart}${el('KeyCount', String(rows + raw.prefixes.length))}${el('IsTruncated', String(raw.truncated))}` +
        `${opts.continuationToken !== undefined ? el('ContinuationToken', opts.continuationToken) : ''}` +
        `${next !== undefined ? el('NextContinuationToken', next) : ''}` +
        `${startAfter !== undefined ? el('StartAfter', enc(startAfter)) : ''}`,
    );
  };
  return { row, finish };
}

/** One ListObjectsV2 document from an index that answers at once (xmlListPage over its listRaw). */
export function renderListObjectsV2Xml(
  index: ImmediateRawLister,
  bucket: string,
  opts: XmlListOptions,
  /** where the output buffer comes from (the result is a view of it unless rendering outgrew it) */
  alloc?: (size: number) => Buffer,
  /** filled with the keys the page depends on */
  bounds?: PageBounds,
): Result<Buffer> {
  const page = xmlListPage(bucket, opts, alloc);
  const raw = index.listRaw(bucket, opts, page.row, bounds);
  return raw.ok ? { ok: true, value: page.finish(raw.value) } : raw;
}
