/**
 * ListObjectsV2 over the keys zset, with S3's exact semantics (see /work/shared/reference/list-objects-v2.md):
 *   - keys in UTF-8 byte order (the zset orders members by bytes, all scores are 0);
 *   - with a delimiter, keys sharing prefix + text up to the first delimiter after the prefix roll up into one
 *     common prefix, which counts once against max-keys; common prefixes not greater than start-after are dropped;
 *   - a rolled-up prefix is skipped by SEEKING to its successor (countBelowLex: O(log n)), never by scanning the
 *     keys under it: a page costs O((max-keys + rolled-up prefixes) · log n);
 *   - the continuation token is the opaque base64url of the last returned key or common prefix: resuming means
 *     "strictly after it", which stays valid whatever changes in the index between pages; after a common prefix,
 *     every key under it rolls up to a prefix not greater than the token, so the page resumes past the prefix.
 */
import { latin1Slice, utf8Slice } from '../engine/buffer-slices';
import { compareBytes, isWideKey, lastSlabCopy, slabCopy, startsWith } from '../engine/structures/packed-btree';
import type { SortedSet } from '../engine/structures/sortedset';
import {
  commonForm,
  decodeListingFields,
  md5Hex,
  type ObjectVersion,
  readCommonForm,
  readVersion,
  STORAGE_CLASSES,
  UNREADABLE_VERSION,
} from './payload';
import { BUCKETS_KEY, type IndexScope, indexKeyNames, isWrongType, zsetOf } from './store';

/**
 * What a listing walks: a member-order cursor that can seek forward (SortedSet.lexCursor; tests also run the
 * listing over a plain sorted array).
 */
export interface KeyCursor {
  readonly valid: boolean;
  /** current key bytes buf[keyStart, keyEnd): live storage, read at once */
  keyBuf(): Buffer;
  readonly keyStart: number;
  readonly keyEnd: number;
  /** after keyBuf(): payload bounds in valueStart/valueEnd (false, -1 when none) */
  valueBounds(): boolean;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** a stable copy of keyBuf()'s bytes; its offsets are keyBuf()'s minus stableBase */
  stableBuf(): Buffer;
  readonly stableBase: number;
  /**
   * after stableBuf(): that copy decoded as latin1 when every key in it is ASCII (a key is then a substring of it),
   * else undefined
   */
  stableText(): string | undefined;
  /** after stableBuf(): true when every key in that copy is printable ASCII that JSON and XML text carry as it is */
  stablePlain(): boolean;
  next(): boolean;
  /**
   * how many entries from the current one on are known to start with prefix: 0 when the current one does not, else
   * at least 1 (a B+tree cursor answers the rest of its leaf when the leaf's last key has the prefix too)
   */
  runWithPrefix(prefix: Uint8Array): number;
  /**
   * moves forward to the first key ≥ key (> key when exclusive); `common`: how many leading bytes key is known to
   * share with the current key (a search hint; 0 when unknown)
   */
  seek(key: Uint8Array, exclusive: boolean, common?: number): boolean;
}
export interface OrderedKeys {
  readonly size: number;
  lexCursor(from: Uint8Array, exclusive: boolean): KeyCursor;
}

/**
 * Makes one listed row from a stable buffer: key at buf[keyStart, keyEnd), payload at buf[valueStart, valueEnd)
 * (valueStart -1 when none). The buffer is shared by several rows and never changes. `text`, when given, is the
 * buffer decoded as latin1 and every key in it is ASCII: the key's string is text.substring(keyStart, keyEnd).
 * `plain`: the key is printable ASCII that JSON and XML text carry as it is (no byte needs an escape or a check).
 */
export type RowMaker<T> = (
  buf: Buffer,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  valueEnd: number,
  text: string | undefined,
  plain: boolean,
) => T;

/** The default row: copies of member and payload. */
const memberAndPayload: RowMaker<[Buffer, Buffer | undefined]> = (buf, ks, ke, vs, ve) => [
  Buffer.from(buf.subarray(ks, ke)),
  vs < 0 ? undefined : Buffer.from(buf.subarray(vs, ve)),
];

export interface ListOptions {
  readonly prefix?: string;
  readonly delimiter?: string;
  /** default 1000; values above `maxKeysCap` are lowered to it (S3 silently caps at 1000) */
  readonly maxKeys?: number;
  readonly startAfter?: string;
  /** wins over startAfter */
  readonly continuationToken?: string;
}

/**
 * A raw page's request: ListOptions with max-keys required (an integer ≥ 0, not capped) and, for a listing that pages
 * on by itself (the NDJSON export), the exact bytes to resume after.
 */
export interface RawListOptions extends ListOptions {
  readonly maxKeys: number;
  /** resume strictly after these key bytes; wins over continuationToken and startAfter */
  readonly after?: Buffer;
}

export interface ListLimits {
  /** 1000 on the S3-compatible surface (S3's own cap); the JSON API may allow up to 10,000 */
  readonly maxKeysCap?: number;
}

export const S3_MAX_KEYS = 1000;
export const JSON_MAX_KEYS = 10_000;

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** without quotes */
  readonly etag?: string;
  /** ms since the epoch */
  readonly lastModified: number;
  readonly storageClass: string;
  readonly versionId?: string;
  readonly version: ObjectVersion;
}

export interface ListPage {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string;
  /** the effective max-keys (after capping) */
  readonly maxKeys: number;
  /** echoed only when no continuation token was sent */
  readonly startAfter?: string;
  readonly continuationToken?: string;
  readonly contents: ListedObject[];
  readonly commonPrefixes: string[];
  /** contents + common prefixes */
  readonly keyCount: number;
  readonly isTruncated: boolean;
  readonly nextContinuationToken?: string;
}

export type IndexErrorCode = 'NoSuchBucket' | 'InvalidArgument' | 'WrongType';

export interface IndexError {
  readonly code: IndexErrorCode;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IndexError };

export const fail = (code: IndexErrorCode, message: string): { ok: false; error: IndexError } => ({
  ok: false,
  error: { code, message },
});

const TOKEN_VERSION = 1;

export function encodeContinuationToken(after: Buffer): string {
  return Buffer.concat([Buffer.of(TOKEN_VERSION), after]).toString('base64url');
}

export function decodeContinuationToken(token: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const b = Buffer.from(token, 'base64url');
  if (b.length < 2 || b[0] !== TOKEN_VERSION || b.toString('base64url') !== token) return undefined;
  return b.subarray(1);
}

/** The smallest byte string greater than every string starting with `p`; undefined when there is none. */
export function prefixSuccessor(p: Buffer): Buffer | undefined {
  let n = p.length;
  while (n > 0 && p[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  const s = Buffer.from(p.subarray(0, n));
  s[n - 1]!++;
  return s;
}

/** [first rank, end rank) of the members starting with `prefix`. */
export function prefixRange(z: Pick<SortedSet, 'size' | 'countBelowLex'>, prefix: Buffer): [number, number] {
  if (prefix.length === 0) return [0, z.size];
  const lo = z.countBelowLex(prefix, false);
  const succ = prefixSuccessor(prefix);
  return [lo, succ === undefined ? z.size : z.countBelowLex(succ, false)];
}

export interface RawPage<T = [Buffer, Buffer | undefined]> {
  /** the listed keys, as rows made by the RowMaker (default: [member, payload]) */
  keys: T[];
  prefixes: Buffer[];
  /** the prefixes as strings (UTF-8 decoded), when asked for */
  prefixTexts?: string[];
  truncated: boolean;
  /** the last key or prefix returned (the continuation point) */
  last?: Buffer;
  /** when truncated: the first key past the page (a copy) */
  beyond?: Buffer;
}

/**
 * The object keys a rendered page depends on, for caches of it: those under its prefix after `after` (exclusive) and,
 * when it is truncated, up to `beyond` (inclusive), the first key past the page, which made it truncated.
 */
export interface PageBounds {
  after?: Buffer;
  beyond?: Buffer;
}

/**
 * The core of a listing on raw bytes. `after`: exclusive lower bound (start-after or the token's position).
 * One cursor walks the keys under the prefix; a rolled-up prefix is left by a forward seek to its successor (a
 * binary search in the current leaf or the next ones, else one descent). Rows are made from one stable copy per
 * leaf visited, not one per key.
 */
export function listRaw<T = [Buffer, Buffer | undefined]>(
  z: OrderedKeys | undefined,
  prefix: Buffer,
  delimiter: Buffer | undefined,
  maxKeys: number,
  after: Buffer | undefined,
  makeRow: RowMaker<T> = memberAndPayload as unknown as RowMaker<T>,
  /**
   * Strings wanted (listObjectsV2): makeRow gets its `text` argument (a leaf's latin1 decode is made only then), and
   * page.prefixTexts is filled
   */
  strings = false,
): RawPage<T> {
  const page: RawPage<T> = { keys: [], prefixes: [], truncated: false };
  if (strings) page.prefixTexts = [];
  if (z === undefined || z.size === 0) return page;
  // prefix strings: where each rolled-up prefix's copy lies (slab number, offset; offset -1: decode it alone)
  const texts = strings
    ? new PrefixTexts(
        !isWideKey(prefix, 0, prefix.length) && (delimiter === undefined || !isWideKey(delimiter, 0, delimiter.length)),
      )
    : undefined;
  const fromAfter = after !== undefined && Buffer.compare(after, prefix) >= 0;
  const c = z.lexCursor(fromAfter ? after : prefix, fromAfter);
  const delim = delimiter !== undefined && delimiter.length > 0 ? new DelimiterSearch(delimiter) : undefined;
  const plen = prefix.length;
  let count = 0;
  // the last returned key, as a position in a stable buffer (copied out once, at the end)
  let lastBuf: Buffer | undefined;
  let lastStart = 0;
  let lastEnd = 0;
  // entries from the current one on known to be under the prefix (checked once per leaf, not per key)
  let under = 0;
  let seeked = false;
  while (c.valid) {
    const buf = c.keyBuf();
    const s = c.keyStart;
    const e = c.keyEnd;
    if (under === 0) {
      // after a seek past a rolled-up prefix: this key only (the next one is likely rolled up too)
      if (seeked) under = startsWith(buf, s, e, prefix) ? 1 : 0;
      else under = c.runWithPrefix(prefix);
      if (under === 0) break;
    }
    if (count >= maxKeys) {
      page.truncated = count > 0;
      if (page.truncated) page.beyond = Buffer.from(buf.subarray(s, e));
      break;
    }
    const d = delim === undefined ? -1 : delim.indexIn(buf, s + plen, e);
    if (d < 0) {
      const stable = c.stableBuf();
      const base = c.stableBase;
      const vs = c.valueBounds() ? c.valueStart - base : -1;
      page.keys.push(
        makeRow(
          stable,
          s - base,
          e - base,
          vs,
          vs < 0 ? -1 : c.valueEnd - base,
          strings ? c.stableText() : undefined,
          c.stablePlain(),
        ),
      );
      lastBuf = stable;
      lastStart = s - base;
      lastEnd = e - base;
      count++;
      under--;
      seeked = false;
      c.next();
      continue;
    }
    under = 0;
    seeked = true;
    // the common prefix is buf[s, r); copied out before seeking (the leaf bytes are live storage)
    const r = d + delim!.needle.length;
    const rolledUp = slabCopy(buf, s, r);
    if (after === undefined || compareBytes(after, rolledUp, 0, r - s) < 0) {
      texts?.add(!delim!.wide);
      page.prefixes.push(rolledUp);
      page.last = rolledUp;
      lastBuf = undefined;
      count++;
    }
    // seek to the prefix's successor: the prefix with its last byte incremented (it ends with the delimiter, whose
    // last byte is never 0xff in UTF-8; other delimiters take the general path), made in place and undone
    const n = r - s;
    const lastByte = rolledUp[n - 1]!;
    if (lastByte === 0xff) {
      const succ = prefixSuccessor(rolledUp);
      if (succ === undefined) break;
      c.seek(succ, false, 0);
      continue;
    }
    rolledUp[n - 1] = lastByte + 1;
    c.seek(rolledUp, false, n - 1);
    rolledUp[n - 1] = lastByte;
  }
  if (lastBuf !== undefined) page.last = Buffer.from(lastBuf.subarray(lastStart, lastEnd));
  if (texts !== undefined) page.prefixTexts = texts.strings(page.prefixes);
  return page;
}

/**
 * The delimiter search of one listing: where the delimiter first occurs in a key, and whether the bytes passed over
 * before it are all ASCII (then the rolled-up prefix's text can be cut from a latin1 decode, see PrefixTexts).
 */
class DelimiterSearch {
  /** after indexIn found the delimiter: whether a byte it passed over is ≥ 0x80 */
  wide = false;
  constructor(readonly needle: Buffer) {}

  /** Position of the first occurrence of the delimiter in buf[from, end), or -1. */
  indexIn(buf: Uint8Array, from: number, end: number): number {
    const needle = this.needle;
    const n = needle.length;
    const first = needle[0]!;
    let x = 0;
    outer: for (let i = from; i + n <= end; i++) {
      const b = buf[i]!;
      x |= b;
      if (b !== first) continue;
      for (let j = 1; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
      this.wide = x >= 0x80;
      return i;
    }
    return -1;
  }
}

/** A run of prefixes decoded at once may span at most this many slab bytes per prefix. */
const RUN_BYTES_PER_PREFIX = 128;

/**
 * The rolled-up prefixes of a page as strings. A native decode per prefix costs far more than a substring; the
 * prefixes' copies lie in order in a few 64 KiB slabs (slabCopy), so each run of ASCII ones in one slab is decoded
 * once, as latin1, and each prefix is a substring of that. Others are decoded one by one.
 */
class PrefixTexts {
  /** per prefix: its slab number, and its offset there (-1: decode it alone) */
  private readonly slabs: number[] = [];
  private readonly offsets: number[] = [];
  constructor(private readonly asciiFrame: boolean) {}

  /** Records the prefix slabCopy just made; `asciiTail`: its bytes after the listing prefix are ASCII. */
  add(asciiTail: boolean): void {
    this.slabs.push(lastSlabCopy.slab);
    this.offsets.push(this.asciiFrame && asciiTail ? lastSlabCopy.at : -1);
  }

  strings(prefixes: readonly Buffer[]): string[] {
    const n = prefixes.length;
    const out = new Array<string>(n);
    const { slabs, offsets } = this;
    let i = 0;
    while (i < n) {
      const lo = offsets[i]!;
      if (lo < 0) {
        const p = prefixes[i]!;
        out[i] = utf8Slice(p, 0, p.length);
        i++;
        continue;
      }
      // a run of ASCII copies in one slab (their offsets increase), not spread far apart by the copies of other
      // leaves in between (then the one decode would cost more than it saves)
      let j = i + 1;
      while (
        j < n &&
        slabs[j] === slabs[i] &&
        offsets[j]! >= 0 &&
        offsets[j]! + prefixes[j]!.length - lo <= RUN_BYTES_PER_PREFIX * (j - i + 1)
      )
        j++;
      const last = prefixes[j - 1]!;
      const hi = offsets[j - 1]! + last.length;
      const first = prefixes[i]!;
      const text = latin1Slice(Buffer.from(first.buffer, first.byteOffset, hi - lo), 0, hi - lo);
      for (let k = i; k < j; k++) out[k] = text.substring(offsets[k]! - lo, offsets[k]! - lo + prefixes[k]!.length);
      i = j;
    }
    return out;
  }
}

/**
 * Where a listing starts: the bucket's keys, the exclusive lower bound (the token's position, or start-after), and
 * the prefix and delimiter as bytes (an empty delimiter is none), ready for listRaw.
 */
export interface ListStart {
  readonly z: SortedSet | undefined;
  readonly after: Buffer | undefined;
  readonly prefix: Buffer;
  readonly delimiter: Buffer | undefined;
}

/** A listing's window without its keys: where it starts and what it rolls up (see ListStart). */
export type ListWindow = Omit<ListStart, 'z'>;

type WindowOptions = Pick<RawListOptions, 'continuationToken' | 'startAfter' | 'prefix' | 'delimiter' | 'after'>;

/** The start (`after`, else the continuation token, else start-after), prefix and delimiter of a listing request. */
export function listWindow(opts: WindowOptions): Result<ListWindow> {
  let after: Buffer | undefined;
  if (opts.after !== undefined) after = opts.after;
  else if (opts.continuationToken !== undefined) {
    after = decodeContinuationToken(opts.continuationToken);
    if (after === undefined) return fail('InvalidArgument', 'The continuation token provided is incorrect');
  } else if (opts.startAfter !== undefined && opts.startAfter !== '') after = Buffer.from(opts.startAfter, 'utf8');
  const prefix = Buffer.from(opts.prefix ?? '', 'utf8');
  const delimiter = opts.delimiter ? Buffer.from(opts.delimiter, 'utf8') : undefined;
  return { ok: true, value: { after, prefix, delimiter } };
}

/** Checks the start of a listing request (listWindow), then the bucket. */
export function listStart(scope: IndexScope, bucket: string, opts: WindowOptions): Result<ListStart> {
  const w = listWindow(opts);
  if (!w.ok) return w;
  const z = bucketZset(scope, bucket);
  if (!z.ok) return z;
  return { ok: true, value: { z: z.value, ...w.value } };
}

/** max-keys of a raw page: an integer ≥ 0 (not capped). */
export function checkRawMaxKeys(maxKeys: number): Result<number> {
  return Number.isInteger(maxKeys) && maxKeys >= 0
    ? { ok: true, value: maxKeys }
    : fail('InvalidArgument', 'Provided max-keys not an integer or within integer range');
}

/** max-keys of a ListObjectsV2 request: an integer ≥ 0, lowered to the cap (default 1000, S3's). */
export function checkMaxKeys(opts: ListOptions, limits: ListLimits): Result<number> {
  const requested = opts.maxKeys ?? S3_MAX_KEYS;
  const r = checkRawMaxKeys(requested);
  return r.ok ? { ok: true, value: Math.min(requested, limits.maxKeysCap ?? S3_MAX_KEYS) } : r;
}

/**
 * A raw page over any ordered keys holding (at least) the listing's window: what listRawPage answers once the
 * request and the bucket are checked. The Redis backend passes the few keys a server-side script picked for it.
 */
export function rawPageOn<T>(
  z: OrderedKeys | undefined,
  w: ListWindow,
  maxKeys: number,
  makeRow: RowMaker<T>,
  bounds?: PageBounds,
): RawPage<T> {
  const raw = listRaw(z, w.prefix, w.delimiter, maxKeys, w.after, makeRow);
  if (bounds !== undefined) {
    bounds.after = w.after;
    bounds.beyond = raw.beyond;
  }
  return raw;
}

/** A ListObjectsV2 page over any ordered keys holding (at least) the listing's window (see rawPageOn). */
export function listPageOn(
  z: OrderedKeys | undefined,
  bucket: string,
  opts: ListOptions,
  w: ListWindow,
  maxKeys: number,
  bounds?: PageBounds,
): ListPage {
  const raw = listRaw(z, w.prefix, w.delimiter, maxKeys, w.after, listedRow, true);
  if (bounds !== undefined) {
    bounds.after = w.after;
    bounds.beyond = raw.beyond;
  }
  const contents: ListedObject[] = raw.keys;
  const commonPrefixes = raw.prefixTexts!;
  return {
    bucket,
    prefix: opts.prefix ?? '',
    delimiter: opts.delimiter || undefined,
    maxKeys,
    startAfter: opts.continuationToken === undefined ? opts.startAfter : undefined,
    continuationToken: opts.continuationToken,
    contents,
    commonPrefixes,
    keyCount: contents.length + commonPrefixes.length,
    isTruncated: raw.truncated,
    nextContinuationToken: raw.truncated && raw.last ? encodeContinuationToken(raw.last) : undefined,
  };
}

/**
 * One page of a bucket as rows made by `makeRow` straight from the stored bytes (what S3Index.listRaw answers): the
 * request is checked as listObjectsV2 checks it (max-keys, then the token, then the bucket), and `bounds` is filled
 * with the keys the page depends on.
 */
export function listRawPage<T>(
  scope: IndexScope,
  bucket: string,
  opts: RawListOptions,
  makeRow: RowMaker<T>,
  bounds?: PageBounds,
): Result<RawPage<T>> {
  const maxKeys = checkRawMaxKeys(opts.maxKeys);
  if (!maxKeys.ok) return maxKeys;
  const begin = listStart(scope, bucket, opts);
  if (!begin.ok) return begin;
  return { ok: true, value: rawPageOn(begin.value.z, begin.value, maxKeys.value, makeRow, bounds) };
}

/** ListObjectsV2 on a bucket of the index. */
export function listObjectsV2(
  scope: IndexScope,
  bucket: string,
  opts: ListOptions = {},
  limits: ListLimits = {},
  /** filled with the keys the page depends on (for response caches) */
  bounds?: PageBounds,
): Result<ListPage> {
  const maxKeys = checkMaxKeys(opts, limits);
  if (!maxKeys.ok) return maxKeys;
  const begin = listStart(scope, bucket, opts);
  if (!begin.ok) return begin;
  return { ok: true, value: listPageOn(begin.value.z, bucket, opts, begin.value, maxKeys.value, bounds) };
}

/**
 * A full listing as a stream of pages (each page re-seeks from the previous one's last item, so the engine is never
 * held between pages and concurrent changes are tolerated exactly like with continuation tokens).
 */
export function* listAll(
  scopeAt: () => IndexScope,
  bucket: string,
  opts: Omit<ListOptions, 'maxKeys' | 'continuationToken'> = {},
  pageSize = JSON_MAX_KEYS,
): Generator<ListPage, void, undefined> {
  let token: string | undefined;
  for (;;) {
    const r = listObjectsV2(
      scopeAt(),
      bucket,
      { ...opts, maxKeys: pageSize, continuationToken: token },
      { maxKeysCap: pageSize },
    );
    if (!r.ok) return;
    yield r.value;
    if (!r.value.isTruncated) return;
    token = r.value.nextContinuationToken;
  }
}

/**
 * A listed object: the listing fields are decoded at once (cheaply, see decodeListingFields), except the etag of the
 * common form, made into hex on first read (listings are often read for keys, sizes and dates only); the full
 * ObjectVersion (sequencer, restore state, …), which only some front ends show, on first access.
 */
class ListedEntry implements ListedObject {
  readonly key: string;
  readonly size: number = 0;
  readonly lastModified: number = 0;
  readonly storageClass: string = 'STANDARD';
  readonly versionId?: string;
  /** the encoded version at buf[start, end) (buf undefined when the member has no payload) */
  readonly #buf: Buffer | undefined;
  readonly #start: number;
  readonly #end: number;
  /** the etag; a number: the position in #buf of the 16 MD5 bytes still to be made into hex */
  #etag: string | number | undefined;
  #version: ObjectVersion | undefined;

  constructor(key: string, buf: Buffer | undefined, start: number, end: number) {
    this.key = key;
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
    if (buf === undefined) return;
    if (readCommonForm(buf, start, end)) {
      // the common form, read in place (no intermediate fields object)
      const f = commonForm;
      this.size = f.size;
      this.#etag = f.etagAt;
      this.lastModified = f.lastModified;
      this.storageClass = STORAGE_CLASSES[f.storageClass]!;
      return;
    }
    const f = decodeListingFields(buf, start, end);
    this.size = f.size;
    this.#etag = f.etag;
    this.lastModified = f.lastModified;
    this.storageClass = f.storageClass;
    this.versionId = f.versionId;
  }

  /** without quotes */
  get etag(): string | undefined {
    const e = this.#etag;
    if (typeof e !== 'number') return e;
    const hex = md5Hex(this.#buf!, e);
    this.#etag = hex;
    return hex;
  }

  /** The listing fields as plain data (`etag` is an accessor, which JSON.stringify and spreading would skip). */
  toJSON(): Omit<ListedObject, 'version'> {
    const { key, size, etag, lastModified, storageClass, versionId } = this;
    return versionId === undefined
      ? { key, size, etag, lastModified, storageClass }
      : { key, size, etag, lastModified, storageClass, versionId };
  }

  get version(): ObjectVersion {
    this.#version ??=
      this.#buf === undefined ? { ...UNREADABLE_VERSION } : readVersion(this.#buf.subarray(this.#start, this.#end));
    return this.#version;
  }
}

export function listedObject(member: Buffer, payload: Buffer | undefined): ListedObject {
  return new ListedEntry(member.toString('utf8'), payload, 0, payload?.length ?? 0);
}

/** A listed row straight from a stable leaf copy: the payload is not even viewed until `version` is read. */
const listedRow: RowMaker<ListedEntry> = (buf, ks, ke, vs, ve, text) =>
  new ListedEntry(
    text === undefined ? utf8Slice(buf, ks, ke) : text.substring(ks, ke),
    vs < 0 ? undefined : buf,
    vs,
    ve,
  );

/** The keys zset of an existing bucket (undefined when the bucket exists but has no listed object). */
export function bucketZset(scope: IndexScope, bucket: string): Result<SortedSet | undefined> {
  const z = zsetOf(scope, indexKeyNames(bucket).keys);
  if (isWrongType(z)) return fail('WrongType', z.message);
  if (z === undefined && !bucketExists(scope, bucket))
    return fail('NoSuchBucket', 'The specified bucket does not exist');
  return { ok: true, value: z };
}

export function bucketExists(scope: IndexScope, bucket: string): boolean {
  const reg = scope.db.lookup(BUCKETS_KEY, scope.now);
  return reg?.type === 'set' && reg.v.has(bucket);
}
