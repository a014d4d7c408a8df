/**
 * Binary encodings of the per-object metadata the index keeps. These bytes are stored in the engine (as SortedSet
 * payloads and hash values), so they are part of the snapshot format: never renumber an enum or move a field; add a
 * flag bit or an extension field instead.
 *
 * ObjectVersion payload (the payload of member <key> in `s3idx:{B}:keys`, and each entry of a history record):
 *
 *   u8      flags   bits 0-1  etag form: 0 none | 1 md5 (16 bytes) | 2 multipart md5 (16 bytes + varint part count)
 *                             | 3 other (varint length + UTF-8)
 *                   bit 2     sequencer is packed hex (u8 digit count + ceil(count/2) bytes, high nibble first,
 *                             an odd count padded with a 0 nibble); else varint length + ASCII
 *                   bit 3     version id present (varint length + UTF-8)
 *                   bit 4     delete marker
 *                   bit 5     extension block present
 *                   bit 6     storage class outside the enum (varint length + ASCII, after the version id)
 *   u8      storage class enum (STORAGE_CLASSES index; 255 with flag bit 6)
 *   …       sequencer (see bit 2; '' = unknown is packed with 0 digits)
 *   varint  size in bytes (LEB128, up to 2^53)
 *   u48 LE  last-modified, ms since the epoch (the event time)
 *   …       etag (bits 0-1), version id (bit 3), storage class (bit 6)
 *   extension (bit 5): u48 LE metaTime (time of the last metadata-only event applied),
 *                      u8 restore (0 none | 1 in progress | 2 restored | 3 restored with u48 LE expiry following),
 *                      varint length + ASCII access tier (0 = none)
 *
 * A typical object (md5 etag, 18-digit sequencer, STANDARD, unversioned) takes 38 bytes.
 *
 * History record (`s3idx:{B}:hist` field <key>): u8 format (1), varint count, then per version: varint length +
 * ObjectVersion payload. Tombstone record (`s3idx:{B}:tomb` field <key>): u8 format (1), varint count, then per
 * deletion: u8 flags (bit 0: the sequencer is packed; bit 1: the event's time follows the ingest time), the
 * sequencer as above, varint length + UTF-8 version id ('' = the null version), u48 LE time the deletion was
 * ingested, [u48 LE time of the deletion's event (bit 1)].
 */
import { compareSequencer } from './sequencer';

/** Never reorder: the index of a class is stored. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'SNOW',
  'EXPRESS_ONEZONE',
] as const;
const CLASS_INDEX = new Map<string, number>(STORAGE_CLASSES.map((c, i) => [c, i]));

export type RestoreState = { status: 'in-progress' } | { status: 'restored'; expiry?: number };

/** One version of one object (or a delete marker) as the index knows it. */
export interface ObjectVersion {
  /** the version id as S3 sent it; undefined for unversioned buckets (and suspended-versioning puts) */
  versionId?: string;
  /** normalised sequencer of the event that created this version ('' when unknown) */
  sequencer: string;
  deleteMarker: boolean;
  size: number;
  /** without quotes */
  etag?: string;
  /** ms since the epoch */
  lastModified: number;
  storageClass: string;
  /** time of the last metadata-only event applied (orders those events, which carry no sequencer) */
  metaTime?: number;
  restore?: RestoreState;
  accessTier?: string;
}

export interface Tombstone {
  /** '' for the null version (unversioned deletes) */
  versionId: string;
  sequencer: string;
  /** ms since the epoch when the deletion was ingested (drives retention) */
  at: number;
  /** the deletion's event time, ms since the epoch, when the event gave one (orders crawled rows against it) */
  time?: number;
}

const MD5_RE = /^[0-9a-f]{32}$/;
const MULTIPART_RE = /^([0-9a-f]{32})-([1-9][0-9]{0,8})$/;
const HEX_SEQ_RE = /^[0-9A-F]{0,255}$/;

// --- writer -------------------------------------------------------------------------------------------------------

/** LEB128 varint of v (an integer in [0, 2^53)) at b[p]; returns the new position. */
function putVarint(b: Buffer, p: number, v: number): number {
  while (v >= 0x80) {
    b[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[p++] = v;
  return p;
}

const MAX_U48 = 2 ** 48 - 1;

/** u48 LE of t at b[p], throwing a RangeError past [0, 2^48) as Buffer#writeUIntLE does; returns the new position. */
function putU48(b: Buffer, p: number, t: number): number {
  if (t > MAX_U48 || t < 0) throw new RangeError(`u48 field out of range: ${t}`);
  const low = t % 0x100000000;
  const high = (t - low) / 0x100000000;
  b[p] = low & 255;
  b[p + 1] = (low >>> 8) & 255;
  b[p + 2] = (low >>> 16) & 255;
  b[p + 3] = low >>> 24;
  b[p + 4] = high & 255;
  b[p + 5] = (high >>> 8) & 255;
  return p + 6;
}

/** Hex digit values by char code 0-255 (-1: not a digit of that case). */
const UPPER_HEX = hexTable('0123456789ABCDEF');
const LOWER_HEX = hexTable('0123456789abcdef');
function hexTable(digits: string): Int8Array {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) t[digits.charCodeAt(i)] = i;
  return t;
}

/**
 * The hex digits s[from, from + n) packed two to a byte (high nibble first, an odd count padded with a 0 nibble) at
 * b[p], each checked against `digits` (UPPER_HEX or LOWER_HEX) as it is packed; returns the new position, or -1 when
 * one is not a digit of that case.
 */
function putHexDigits(b: Buffer, p: number, s: string, from: number, n: number, digits: Int8Array): number {
  // a char code ≥ 256 masked into the table could alias a digit: its high bits make `bad` exceed 15
  let bad = 0;
  const end = from + n;
  let i = from;
  for (; i + 1 < end; i += 2) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    const hi = digits[c & 255]!;
    const lo = digits[d & 255]!;
    bad |= hi | lo | ((c | d) & ~255);
    b[p++] = (hi << 4) | (lo & 15);
  }
  if (i < end) {
    const c = s.charCodeAt(i);
    const hi = digits[c & 255]!;
    bad |= hi | (c & ~255);
    b[p++] = hi << 4;
  }
  return bad < 0 || bad > 15 ? -1 : p;
}

/** A sequencer in its packed form (u8 digit count, then the digits) at b[p]; -1 when it is not upper-case hex. */
function putPackedSeq(b: Buffer, p: number, seq: string): number {
  b[p] = seq.length;
  return putHexDigits(b, p + 1, seq, 0, seq.length, UPPER_HEX);
}

/** Bytes of the records built from several parts (history, tombstones), on the field writers above. */
class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u48(v: number): void {
    this.pos = putU48(this.buf, this.pos, v);
  }
  varint(v: number): void {
    this.pos = putVarint(this.buf, this.pos, v);
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  ascii(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }
  done(): Buffer {
    return this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
  }
}

const varintLen = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 8);

/** Bytes of a sequencer in a record: packed (u8 count + nibbles) or varint length + ASCII. */
const seqLen = (seq: string, packed: boolean): number =>
  packed ? 1 + ((seq.length + 1) >> 1) : varintLen(seq.length) + seq.length;

export function encodeVersion(v: ObjectVersion): Buffer {
  return encodeVersionAs(v, true) ?? (encodeVersionAs(v, false) as Buffer);
}

/**
 * encodeVersion's one writer. The forms of the sequencer (packed hex or text) and of the ETag (md5, multipart md5,
 * text) are told by regular expressions; with `guess` (the fast path) a sequencer of up to 255 characters is taken
 * for hex and a 32-character ETag for an md5 without them, their digits being checked as they are packed: undefined
 * when one is not a digit, and encodeVersion encodes again without guessing. The bytes are the same either way.
 */
function encodeVersionAs(v: ObjectVersion, guess: boolean): Buffer | undefined {
  const seq = v.sequencer;
  const etag = v.etag;
  const seqPacked = guess ? seq.length <= 255 : HEX_SEQ_RE.test(seq);
  let flags = (seqPacked ? 4 : 0) | (v.deleteMarker ? 16 : 0);
  let len = 2 + seqLen(seq, seqPacked) + varintLen(v.size) + 6;
  let parts = 0;
  let etagBytes: Buffer | undefined;
  if (etag !== undefined) {
    if (guess ? etag.length === 32 : MD5_RE.test(etag)) {
      flags |= 1;
      len += 16;
    } else {
      const m = MULTIPART_RE.exec(etag);
      if (m) {
        flags |= 2;
        parts = Number(m[2]);
        len += 16 + varintLen(parts);
      } else {
        flags |= 3;
        etagBytes = Buffer.from(etag, 'utf8');
        len += varintLen(etagBytes.length) + etagBytes.length;
      }
    }
  }
  let vidBytes: Buffer | undefined;
  if (v.versionId !== undefined) {
    flags |= 8;
    vidBytes = Buffer.from(v.versionId, 'utf8');
    len += varintLen(vidBytes.length) + vidBytes.length;
  }
  const cls = CLASS_INDEX.get(v.storageClass);
  if (cls === undefined) {
    flags |= 64;
    len += varintLen(v.storageClass.length) + v.storageClass.length;
  }
  const ext = v.metaTime !== undefined || v.restore !== undefined || v.accessTier !== undefined;
  if (ext) {
    flags |= 32;
    len += 6 + 1 + 6 + 1 + (v.accessTier?.length ?? 0);
  }
  const b = Buffer.allocUnsafe(len);
  b[0] = flags;
  b[1] = cls ?? 255;
  let p: number;
  if (seqPacked) {
    p = putPackedSeq(b, 2, seq);
    if (p < 0) return undefined;
  } else {
    p = putVarint(b, 2, seq.length);
    p += b.write(seq, p, 'latin1');
  }
  p = putVarint(b, p, v.size);
  p = putU48(b, p, v.lastModified);
  const form = flags & 3;
  if (form === 1 || form === 2) {
    p = putHexDigits(b, p, etag!, 0, 32, LOWER_HEX);
    if (p < 0) return undefined;
    if (form === 2) p = putVarint(b, p, parts);
  } else if (form === 3) {
    p = putVarint(b, p, etagBytes!.length);
    p += etagBytes!.copy(b, p);
  }
  if (vidBytes !== undefined) {
    p = putVarint(b, p, vidBytes.length);
    p += vidBytes.copy(b, p);
  }
  if (cls === undefined) {
    p = putVarint(b, p, v.storageClass.length);
    p += b.write(v.storageClass, p, 'latin1');
  }
  if (ext) {
    p = putU48(b, p, v.metaTime ?? 0);
    const r = v.restore;
    if (r === undefined) b[p++] = 0;
    else if (r.status === 'in-progress') b[p++] = 1;
    else if (r.expiry === undefined) b[p++] = 2;
    else {
      b[p++] = 3;
      p = putU48(b, p, r.expiry);
    }
    const tier = v.accessTier ?? '';
    p = putVarint(b, p, tier.length);
    p += b.write(tier, p, 'latin1');
  }
  return p === len ? b : b.subarray(0, p);
}

// --- reader -------------------------------------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated index record');
    return this.buf[this.pos++]!;
  }
  u48(): number {
    // checked here, like every read: readVersion tells a bad record by this module's RangeError
    if (this.pos + 6 > this.buf.length) throw new RangeError('truncated index record');
    const v = this.buf.readUIntLE(this.pos, 6);
    this.pos += 6;
    return v;
  }
  /** a LEB128 varint; a RangeError past 2^53, which no writer makes (sizes, lengths and counts are integers) */
  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      // NaN too: a long run of continuation bytes makes mul Infinity, and 0 × Infinity
      if (!(v <= Number.MAX_SAFE_INTEGER)) throw new RangeError('index record varint out of range');
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
  take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated index record');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** n bytes as text, without an intermediate Buffer view */
  text(n: number, enc: 'hex' | 'latin1' | 'utf8'): string {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated index record');
    const s = this.buf.toString(enc, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  seq(packed: boolean): string {
    if (!packed) return this.text(this.varint(), 'latin1');
    const digits = this.u8();
    const hex = this.text((digits + 1) >> 1, 'hex').toUpperCase();
    return digits & 1 ? hex.slice(0, digits) : hex;
  }
}

export function decodeVersion(buf: Buffer): ObjectVersion {
  const r = new Reader(buf);
  const flags = r.u8();
  const cls = r.u8();
  const sequencer = r.seq((flags & 4) !== 0);
  const size = r.varint();
  const lastModified = r.u48();
  let etag: string | undefined;
  const form = flags & 3;
  if (form === 1 || form === 2) {
    etag = r.text(16, 'hex');
    if (form === 2) etag += `-${r.varint()}`;
  } else if (form === 3) etag = r.text(r.varint(), 'utf8');
  const v: ObjectVersion = {
    sequencer,
    deleteMarker: (flags & 16) !== 0,
    size,
    etag,
    lastModified,
    storageClass: STORAGE_CLASSES[cls] ?? 'STANDARD',
  };
  if (flags & 8) v.versionId = r.text(r.varint(), 'utf8');
  if (flags & 64) v.storageClass = r.text(r.varint(), 'latin1');
  if (flags & 32) {
    v.metaTime = r.u48();
    const rs = r.u8();
    if (rs === 1) v.restore = { status: 'in-progress' };
    else if (rs === 2) v.restore = { status: 'restored' };
    else if (rs === 3) v.restore = { status: 'restored', expiry: r.u48() };
    const tier = r.varint();
    if (tier > 0) v.accessTier = r.text(tier, 'latin1');
  }
  return v;
}

/**
 * What the index shows for a payload that does not decode (written by something other than store.ts, or damaged): the
 * fields of a member without a payload. The key is still listed, counted and found by head, with size 0 (the weight
 * payloadSize gives it, so stats agree), no ETag and the epoch as its date; no figure is guessed from bytes whose
 * layout is unknown. Any later event for the key replaces it (compareVersionSequencer takes it as the oldest).
 */
export const UNREADABLE_VERSION: Readonly<ObjectVersion> = Object.freeze({
  sequencer: '',
  deleteMarker: false,
  size: 0,
  lastModified: 0,
  storageClass: 'STANDARD',
});

/**
 * decodeVersion for the readers of the keys zset (listings, head, the key state): an undecodable payload gives a
 * copy of UNREADABLE_VERSION instead of a RangeError, so one bad record never fails a whole page or request.
 */
export function readVersion(buf: Buffer): ObjectVersion {
  try {
    return decodeVersion(buf);
  } catch (err) {
    if (err instanceof RangeError) return { ...UNREADABLE_VERSION };
    throw err;
  }
}

/** What a listing row shows, decoded without the sequencer and the extension block. */
export interface ListingFields {
  size: number;
  etag: string | undefined;
  lastModified: number;
  storageClass: string;
  versionId: string | undefined;
}

/**
 * Out-parameters of readCommonForm, overwritten by each call (one shared object: nothing allocated per row). etagAt:
 * where the 16 bytes of the md5 ETag start; storageClass: an index into STORAGE_CLASSES.
 */
export const commonForm = { size: 0, lastModified: 0, etagAt: 0, storageClass: 0 };

/**
 * Reads the listing fields of an encoded version at buf[start, end) in place, when the version has the common form
 * (packed hex sequencer, md5 ETag, enum storage class, no version id, no own class name): the hot path of listing
 * pages and their renderings. False, with nothing read, for any other form (decode those with decodeVersion).
 */
export function readCommonForm(buf: Buffer, start: number, end: number): boolean {
  const flags = buf[start]!;
  const cls = buf[start + 1]!;
  if ((flags & (4 | 3 | 8 | 64)) !== (4 | 1) || cls >= STORAGE_CLASSES.length) return false;
  let q = start + 3 + ((buf[start + 2]! + 1) >> 1);
  let size = 0;
  let mul = 1;
  for (;;) {
    if (q >= end) return false;
    const b = buf[q++]!;
    size += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  if (q + 6 + 16 > end || !(size <= Number.MAX_SAFE_INTEGER)) return false;
  commonForm.size = size;
  commonForm.lastModified =
    buf[q]! +
    buf[q + 1]! * 0x100 +
    buf[q + 2]! * 0x10000 +
    buf[q + 3]! * 0x1000000 +
    buf[q + 4]! * 0x100000000 +
    buf[q + 5]! * 0x10000000000;
  commonForm.etagAt = q + 6;
  commonForm.storageClass = cls;
  return true;
}

/**
 * The object size in the encoded version at buf[start, end): the weight of its member in the keys zset, derived from
 * the payload (store.ts gives the zset this function) instead of kept in a per-entry array. 0 when undecodable
 * (UNREADABLE_VERSION).
 */
export function payloadSize(buf: Uint8Array, start: number, end: number): number {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (readCommonForm(b, start, end)) return commonForm.size;
  return readVersion(b.subarray(start, end)).size;
}

/**
 * The ListingFields of an encoded version: the hot path of a listing page (no Reader, no sequencer string). A payload
 * that does not decode gives UNREADABLE_VERSION's fields (see readVersion).
 */
export function decodeListingFields(buf: Buffer, start = 0, end = buf.length): ListingFields {
  if (!readCommonForm(buf, start, end)) {
    return listingFieldsOf(readVersion(start === 0 && end === buf.length ? buf : buf.subarray(start, end)));
  }
  const f = commonForm;
  return {
    size: f.size,
    etag: md5Hex(buf, f.etagAt),
    lastModified: f.lastModified,
    storageClass: STORAGE_CLASSES[f.storageClass]!,
    versionId: undefined,
  };
}

/** char codes of the high and low hex digit of each byte value */
const HEX_HI = new Uint8Array(256);
const HEX_LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HEX_HI[i] = '0123456789abcdef'.charCodeAt(i >> 4);
  HEX_LO[i] = '0123456789abcdef'.charCodeAt(i & 15);
}

/**
 * Lower-case hex of the 16 bytes at b[p]: one flat string from one String.fromCharCode call with 32 arguments, which
 * is cheaper than Buffer#toString('hex') (a native call), apply or concatenation.
 */
export function md5Hex(b: Buffer, p: number): string {
  const h = HEX_HI;
  const l = HEX_LO;
  return String.fromCharCode(
    h[b[p]!]!,
    l[b[p]!]!,
    h[b[p + 1]!]!,
    l[b[p + 1]!]!,
    h[b[p + 2]!]!,
    l[b[p + 2]!]!,
    h[b[p + 3]!]!,
    l[b[p + 3]!]!,
    h[b[p + 4]!]!,
    l[b[p + 4]!]!,
    h[b[p + 5]!]!,
    l[b[p + 5]!]!,
    h[b[p + 6]!]!,
    l[b[p + 6]!]!,
    h[b[p + 7]!]!,
    l[b[p + 7]!]!,
    h[b[p + 8]!]!,
    l[b[p + 8]!]!,
    h[b[p + 9]!]!,
    l[b[p + 9]!]!,
    h[b[p + 10]!]!,
    l[b[p + 10]!]!,
    h[b[p + 11]!]!,
    l[b[p + 11]!]!,
    h[b[p + 12]!]!,
    l[b[p + 12]!]!,
    h[b[p + 13]!]!,
    l[b[p + 13]!]!,
    h[b[p + 14]!]!,
    l[b[p + 14]!]!,
    h[b[p + 15]!]!,
    l[b[p + 15]!]!,
  );
}

const listingFieldsOf = (v: ObjectVersion): ListingFields => ({
  size: v.size,
  etag: v.etag,
  lastModified: v.lastModified,
  storageClass: v.storageClass,
  versionId: v.versionId,
});

/** True when an encoded version has no version id (the null version of an unversioned or suspended bucket). */
export const isUnversionedPayload = (buf: Buffer): boolean => (buf[0]! & 8) === 0;

/**
 * compareSequencer(seq, versionSequencer(buf)) without decoding: `seq` (normalised) against the packed sequencer of
 * an encoded version, digit by digit with the same right-padding with '0'. Negative when `seq` is older. A payload
 * whose sequencer cannot be read counts as UNREADABLE_VERSION's ('' : older than any event).
 */
export function compareVersionSequencer(seq: string, buf: Buffer): number {
  if (buf.length < 3) return compareSequencer(seq, UNREADABLE_VERSION.sequencer);
  if ((buf[0]! & 4) === 0) return compareSequencer(seq, readVersionSequencer(buf));
  const digits = buf[2]!;
  if (3 + ((digits + 1) >> 1) > buf.length) return compareSequencer(seq, UNREADABLE_VERSION.sequencer);
  const len = seq.length;
  const n = Math.max(len, digits);
  for (let i = 0; i < n; i++) {
    const x = i < len ? seq.charCodeAt(i) : 48;
    let y = 48;
    if (i < digits) {
      const b = buf[3 + (i >> 1)]!;
      const d = i & 1 ? b & 15 : b >> 4;
      y = d < 10 ? 48 + d : 55 + d;
    }
    if (x !== y) return x - y;
  }
  return 0;
}

/** Whether an encoded version has the unknown sequencer '' (a listed row's), without decoding it. */
export function hasUnknownSequencer(buf: Buffer): boolean {
  return buf.length >= 3 && (buf[0]! & 4) !== 0 && buf[2] === 0;
}

/** The sequencer of an encoded version, without decoding the rest. */
export function versionSequencer(buf: Buffer): string {
  const r = new Reader(buf);
  const flags = r.u8();
  r.u8();
  return r.seq((flags & 4) !== 0);
}

/** versionSequencer, or UNREADABLE_VERSION's when it does not decode. */
function readVersionSequencer(buf: Buffer): string {
  try {
    return versionSequencer(buf);
  } catch (err) {
    if (err instanceof RangeError) return UNREADABLE_VERSION.sequencer;
    throw err;
  }
}

export function encodeHistory(versions: readonly ObjectVersion[]): Buffer {
  const parts = versions.map(encodeVersion);
  let len = 1 + varintLen(parts.length);
  for (const p of parts) len += varintLen(p.length) + p.length;
  const w = new Writer(len);
  w.u8(1);
  w.varint(parts.length);
  for (const p of parts) {
    w.varint(p.length);
    w.bytes(p);
  }
  return w.done();
}

export function decodeHistory(buf: Buffer): ObjectVersion[] {
  const r = new Reader(buf);
  if (r.u8() !== 1) throw new RangeError('unknown history record format');
  const n = r.varint();
  const out: ObjectVersion[] = [];
  for (let i = 0; i < n; i++) out.push(decodeVersion(r.take(r.varint())));
  return out;
}

export function encodeTombstones(ts: readonly Tombstone[]): Buffer {
  const vids = ts.map((t) => Buffer.from(t.versionId, 'utf8'));
  let len = 1 + varintLen(ts.length);
  ts.forEach((t, i) => {
    len += 1 + seqLen(t.sequencer, HEX_SEQ_RE.test(t.sequencer)) + varintLen(vids[i]!.length) + vids[i]!.length + 6;
    if (t.time !== undefined) len += 6;
  });
  const w = new Writer(len);
  w.u8(1);
  w.varint(ts.length);
  ts.forEach((t, i) => {
    const timed = t.time !== undefined ? 2 : 0;
    if (HEX_SEQ_RE.test(t.sequencer)) {
      w.u8(1 | timed);
      w.pos = putPackedSeq(w.buf, w.pos, t.sequencer);
    } else {
      w.u8(timed);
      w.varint(t.sequencer.length);
      w.ascii(t.sequencer);
    }
    w.varint(vids[i]!.length);
    w.bytes(vids[i]!);
    w.u48(t.at);
    if (t.time !== undefined) w.u48(t.time);
  });
  return w.done();
}

export function decodeTombstones(buf: Buffer): Tombstone[] {
  const r = new Reader(buf);
  if (r.u8() !== 1) throw new RangeError('unknown tombstone record format');
  const n = r.varint();
  const out: Tombstone[] = [];
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    const sequencer = r.seq((flags & 1) !== 0);
    const versionId = r.text(r.varint(), 'utf8');
    const at = r.u48();
    out.push((flags & 2) !== 0 ? { versionId, sequencer, at, time: r.u48() } : { versionId, sequencer, at });
  }
  return out;
}
