/**
 * The byte writers the listing renderers share (the /v1 JSON page, json-list-render.ts, and the S3 XML document,
 * s3-list-render.ts): a growing output buffer, the page frame whose head is written last, decimal and hex digits, and
 * Date#toISOString written with integer arithmetic. Only constant tables live at module level: whatever a rendering
 * remembers between rows (the date cache, its scratch) belongs to an object the page writer creates.
 */
import type { RawPage, RowMaker } from '../index/list';
import { decodeListingFields, type ListingFields } from '../index/payload';

/**
 * A growing output buffer, with the date cache of the timestamps written into it (each page writer's own sinks, so
 * pages written in turn never share it).
 */
export class ByteSink {
  buf: Buffer;
  pos = 0;
  readonly dates = new IsoDates();

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

  /** One byte (a separator). */
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A copy of what was written (exactly sized). */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

// --- pages ----------------------------------------------------------------------------------------------------------

/** the longest continuation token: base64url of a version byte and a 1024-byte key */
const MAX_TOKEN_CHARS = Math.ceil((1025 * 4) / 3);

/**
 * A page being written from one listRaw call: `row` is the RowMaker to list with (it writes each object as it is
 * listed), `finish` writes the rest from the raw page once the listing is done and returns the bytes.
 */
export interface PageWriter {
  readonly row: RowMaker<number>;
  finish(raw: RawPage<number>): Buffer;
}

/**
 * The output of one listing page whose head (key count, continuation token: known only at the end) is written last,
 * in front of the body. `headBytes`: room for the head besides the token; `bodyBytes`: the body's first allocation.
 * The buffer is taken from `alloc` on the first write, so a listing that fails takes none.
 */
export class FramedPage {
  private sink: ByteSink | undefined;
  private readonly headroom: number;
  private readonly capacity: number;

  constructor(
    headBytes: number,
    bodyBytes: number,
    private readonly alloc?: (size: number) => Buffer,
  ) {
    this.headroom = headBytes + MAX_TOKEN_CHARS;
    this.capacity = this.headroom + bodyBytes;
  }

  /** Where the body goes on. */
  body(): ByteSink {
    const s = this.sink;
    return s === undefined ? this.open() : s;
  }

  private open(): ByteSink {
    const s = new ByteSink(this.capacity, this.alloc);
    s.pos = this.headroom;
    this.sink = s;
    return s;
  }

  /** Writes `head` (at most `headroom` bytes of UTF-8) in front of the body; returns a view of head and body. */
  finish(head: string): Buffer {
    const s = this.body();
    const headBytes = Buffer.byteLength(head, 'utf8');
    const start = this.headroom - headBytes;
    s.buf.write(head, start, headBytes, 'utf8');
    return s.buf.subarray(start, s.pos);
  }
}

// --- rows ---------------------------------------------------------------------------------------------------------

/**
 * Writes one listed object at the sink's position from a listing row: key at buf[ks, ke), payload at buf[vs, ve)
 * (vs < 0: none); `plain`: the key is copied without looking at its bytes (see RowMaker).
 */
export type RowWriter = (
  sink: ByteSink,
  buf: Buffer,
  ks: number,
  ke: number,
  vs: number,
  ve: number,
  plain?: boolean,
) => void;

/** What a row without a payload shows. */
const NO_PAYLOAD: ListingFields = Object.freeze({
  size: 0,
  etag: undefined,
  lastModified: 0,
  storageClass: 'STANDARD',
  versionId: undefined,
});

/**
 * The decoded fields of a listing row's payload at buf[vs, ve) (vs < 0: none): the renderers' string path, for rows
 * their byte path (the common form read in place, with a 4-digit-year date) does not take.
 */
export const rowFields = (buf: Buffer, vs: number, ve: number): ListingFields =>
  vs < 0 ? NO_PAYLOAD : decodeListingFields(buf, vs, ve);

// --- digits ---------------------------------------------------------------------------------------------------------

/** "00".."99" */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** the two lower-case hex digits of each byte value */
const HEX_PAIRS = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  HEX_PAIRS[2 * i] = '0123456789abcdef'.charCodeAt(i >> 4);
  HEX_PAIRS[2 * i + 1] = '0123456789abcdef'.charCodeAt(i & 15);
}

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

/** Copies the bytes src[s, e) of a plain key (nothing to escape or check: TreeCursor.stablePlain) to out[p]. */
export function copyPlain(out: Buffer, p: number, src: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) out[p++] = src[i]!;
  return p;
}

// --- dates ----------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
/** 10000-01-01: from there on toISOString writes 6-digit years */
export const MAX_ISO_MS = 253_402_300_800_000;

/**
 * Date#toISOString written with integer arithmetic for ms in [0, MAX_ISO_MS), remembering the date part of the last
 * day written (the rows of one page often share days). Each page writer has its own.
 */
export class IsoDates {
  /** the day whose "YYYY-MM-DDT" dayBytes holds (-1: none yet) */
  private day = -1;
  private readonly dayBytes = new Uint8Array(11);
  private scratch: Buffer | undefined;

  private setDay(days: number): void {
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
    const b = this.dayBytes;
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
    this.day = days;
  }

  /** Date#toISOString for ms in [0, MAX_ISO_MS) written at out[p] (24 bytes); returns the new position. */
  write(out: Uint8Array, p: number, ms: number): number {
    const days = Math.floor(ms / DAY_MS);
    let r = ms - days * DAY_MS; // < 2^27: integer arithmetic from here
    if (days !== this.day) this.setDay(days);
    const b = this.dayBytes;
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

  /** Date#toISOString of ms since the epoch, without a Date for the usual range. */
  text(ms: number): string {
    if (!(ms >= 0 && ms < MAX_ISO_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    if (this.scratch === undefined) this.scratch = Buffer.allocUnsafe(24);
    this.write(this.scratch, 0, ms);
    return this.scratch.toString('latin1', 0, 24);
  }
}

/** Date#toISOString of ms since the epoch (for one-off renderings; a page uses its own IsoDates). */
export const isoTimestamp = (ms: number): string => new IsoDates().text(ms);
