/**
 * String values: how their bytes are held and which encoding OBJECT ENCODING reports.
 *
 * Redis's encoding of a string depends on its history, not only on its bytes: SET stores "int" for an integer that
 * fits a long, "embstr" up to 44 bytes and "raw" above; APPEND and SETRANGE leave "raw"; INCRBYFLOAT leaves
 * "embstr" even for "3". A side table (a WeakMap, so it goes away with the value) records those exceptions; values
 * without an entry are judged by their bytes.
 *
 * APPEND grows a private backing buffer geometrically, like sds (double below 1 MB, then +1 MB), so repeated appends
 * cost amortized O(1) per byte: `v` is a view of the first `length` bytes and an append writes past it. Bytes
 * inside `v` are never changed in place (SETRANGE copies), so views already handed out in replies stay valid.
 */
import { parseInt64 } from '../../numbers';
import type { StringValue } from '../../values';

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
export const EMBSTR_SIZE_LIMIT = 44;
/** proto-max-bulk-len: the largest string APPEND and SETRANGE may build. */
export const MAX_STRING_LENGTH = 512 * 1024 * 1024;
const SDS_MAX_PREALLOC = 1024 * 1024;

export type StringEncoding = 'int' | 'embstr' | 'raw';

interface StringMeta {
  /** set when history, not content, decides the encoding */
  encoding?: 'embstr' | 'raw';
  /** APPEND's buffer with room to grow; `v` is its prefix while they agree */
  backing?: Buffer;
}

const meta = new WeakMap<StringValue, StringMeta>();

export function newString(v: Buffer, encoding?: 'embstr' | 'raw'): StringValue {
  const s: StringValue = { type: 'string', v };
  if (encoding) meta.set(s, { encoding });
  return s;
}

export function stringEncoding(s: StringValue): StringEncoding {
  const forced = meta.get(s)?.encoding;
  if (forced === 'raw') return 'raw';
  if (forced === undefined && s.v.length <= 20 && parseInt64(s.v) !== undefined) return 'int';
  return s.v.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

/** An independent copy (COPY): same bytes and encoding, its own buffer. */
export function copyString(s: StringValue): StringValue {
  return newString(Buffer.from(s.v), meta.get(s)?.encoding);
}

/** Appends in place (the caller reports the modification); the value becomes "raw". */
export function appendInPlace(s: StringValue, tail: Buffer): void {
  const len = s.v.length;
  const need = len + tail.length;
  let backing = meta.get(s)?.backing;
  const owned = backing !== undefined && backing.buffer === s.v.buffer && backing.byteOffset === s.v.byteOffset;
  if (!owned || backing === undefined || backing.length < need) {
    backing = Buffer.allocUnsafeSlow(need < SDS_MAX_PREALLOC ? need * 2 : need + SDS_MAX_PREALLOC);
    s.v.copy(backing, 0);
  }
  tail.copy(backing, len);
  s.v = backing.subarray(0, need);
  meta.set(s, { encoding: 'raw', backing });
}
