/**
 * Incremental RESP request parser: bytes in, argv (Buffer[]) out. Mirrors Redis's networking.c
 * (processMultibulkBuffer / processInlineBuffer) including its limits and exact protocol error strings.
 *
 * State survives across reads, so a multibulk split anywhere (even inside a bulk) resumes where it stopped
 * without re-scanning. Bulk payloads of 32 KB and more are copied into a buffer preallocated to their final
 * size (like Redis's "big arg" optimisation), so a 512 MB value costs O(n) and not O(n²) concatenation.
 *
 * Every argument is a copy: the engine may keep an argument (a stored value) for a long time, and a slice of the
 * socket's read buffer would pin the whole read buffer in memory.
 *
 * Cost: O(bytes) per feed; memory held is the unparsed tail plus, at most, one partially received bulk.
 */
import { Buffer } from 'node:buffer';

/** Redis's PROTO_INLINE_MAX_SIZE: an inline command, or a multibulk/bulk header line, may not exceed it. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Redis's default proto-max-bulk-len (512 MB). */
export const DEFAULT_MAX_BULK_LEN = 512 * 1024 * 1024;
/** Redis's multibulk count limit (INT_MAX). */
export const MAX_MULTIBULK_LEN = 2147483647;
/** Before AUTH, Redis refuses more than 10 arguments and bulks longer than 16 KB. */
export const UNAUTH_MAX_MULTIBULK_LEN = 10;
export const UNAUTH_MAX_BULK_LEN = 16384;
/** Bulks at least this long are received into their own preallocated buffer. */
const BIG_ARG = 32 * 1024;

export const PROTOCOL_ERRORS = {
  invalidMultibulkLength: 'ERR Protocol error: invalid multibulk length',
  invalidBulkLength: 'ERR Protocol error: invalid bulk length',
  unauthMultibulkLength: 'ERR Protocol error: unauthenticated multibulk length',
  unauthBulkLength: 'ERR Protocol error: unauthenticated bulk length',
  tooBigMbulkCount: 'ERR Protocol error: too big mbulk count string',
  tooBigBulkCount: 'ERR Protocol error: too big bulk count string',
  tooBigInline: 'ERR Protocol error: too big inline request',
  unbalancedQuotes: 'ERR Protocol error: unbalanced quotes in request',
  expectedDollar: (got: number): string => `ERR Protocol error: expected '$', got '${String.fromCharCode(got)}'`,
} as const;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** when true, the pre-AUTH limits (10 arguments, 16 KB bulks) apply */
  unauthenticated: boolean;
}

const CR = 13;
const LF = 10;

const EMPTY = Buffer.alloc(0);

export class RespParser {
  /** unparsed bytes are buf[pos..] */
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** remaining bulks of the multibulk being read (0: between commands) */
  private multibulkLen = 0;
  /** length of the bulk being read, -1 while its header is still expected */
  private bulkLen = -1;
  private args: Buffer[] = [];
  /** preallocated destination of a big bulk, and how much of it is filled */
  private big: Buffer | undefined;
  private bigFilled = 0;
  /** set once a protocol error was found; the parser then yields nothing more */
  error: string | undefined;

  constructor(readonly limits: ParserLimits = { maxBulkLen: DEFAULT_MAX_BULK_LEN, unauthenticated: false }) {}

  /** Bytes buffered but not yet turned into commands (what Redis counts against client-query-buffer-limit). */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFilled : 0);
  }

  /** True while part of a command has been received. */
  get inCommand(): boolean {
    return this.multibulkLen > 0 || this.pos < this.buf.length;
  }

  /** Appends received bytes. Call `next()` until it returns undefined afterwards. */
  feed(chunk: Buffer): void {
    if (this.error !== undefined || chunk.length === 0) return;
    if (this.big) {
      const want = this.big.length - this.bigFilled;
      const n = Math.min(want, chunk.length);
      chunk.copy(this.big, this.bigFilled, 0, n);
      this.bigFilled += n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /**
   * The next complete command, or undefined when more bytes are needed or a protocol error was found
   * (then `error` holds Redis's message). Empty commands (`*0`, blank inline lines) are skipped.
   */
  next(): Buffer[] | undefined {
    for (;;) {
      if (this.error !== undefined) return undefined;
      if (this.multibulkLen === 0) {
        if (this.pos >= this.buf.length) return this.drained();
        const first = this.buf[this.pos]!;
        if (first === 0x2a /* * */ && this.big === undefined) {
          const argv = this.parseWhole();
          if (argv !== undefined) return argv;
        }
        if (first !== 0x2a /* * */) {
          const inline = this.parseInline();
          if (inline === undefined) return undefined;
          if (inline.length === 0) continue;
          return inline;
        }
        if (!this.parseMultibulkHeader()) return undefined;
        if (this.multibulkLen === 0) continue; // *0 or negative: empty command
      }
      const argv = this.parseBulks();
      if (argv === undefined) return undefined;
      return argv;
    }
  }

  /**
   * Fast path for the common case: a whole, well-formed multibulk of small bulks already in the buffer, parsed
   * with locals only. Returns undefined without changing any state when the command is incomplete, has a big
   * bulk, or is anything unusual (errors, limits, *0): the incremental path then takes it from the same place.
   * It is tried only at the start of a command, so a command that arrives in pieces is not rescanned.
   */
  private parseWhole(): Buffer[] | undefined {
    const buf = this.buf;
    const end = buf.length;
    let p = this.pos + 1;
    // multibulk count: 1..9999999, no sign, no leading zero
    let n = 0;
    let c = buf[p]!;
    if (c < 0x31 || c > 0x39) return undefined;
    for (const stop = Math.min(end, p + 8); p < stop; p++) {
      c = buf[p]!;
      if (c === CR) break;
      if (c < 0x30 || c > 0x39) return undefined;
      n = n * 10 + c - 0x30;
    }
    if (c !== CR || p + 1 >= end) return undefined;
    if (n > UNAUTH_MAX_MULTIBULK_LEN && this.limits.unauthenticated) return undefined;
    p += 2;
    const maxBulk = this.limits.unauthenticated ? UNAUTH_MAX_BULK_LEN : this.limits.maxBulkLen;
    const argv: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      if (p >= end || buf[p] !== 0x24 /* $ */) return undefined;
      p++;
      // bulk length: 0, or 1..BIG_ARG-1 without leading zeros
      let len = 0;
      c = buf[p]!;
      if (c === 0x30) {
        p++;
        c = buf[p]!;
      } else {
        if (c < 0x31 || c > 0x39) return undefined;
        for (const stop = Math.min(end, p + 6); p < stop; p++) {
          c = buf[p]!;
          if (c === CR) break;
          if (c < 0x30 || c > 0x39) return undefined;
          len = len * 10 + c - 0x30;
        }
      }
      if (c !== CR || len >= BIG_ARG || len > maxBulk) return undefined;
      p += 2;
      // like Redis, the two bytes after the payload are skipped without being checked
      if (p + len + 2 > end) return undefined;
      const arg = Buffer.allocUnsafe(len);
      if (len <= 16) {
        for (let i = 0, q = p; i < len; i++, q++) arg[i] = buf[q]!;
      } else {
        buf.copy(arg, 0, p, p + len);
      }
      argv.push(arg);
      p += len + 2;
    }
    this.pos = p;
    return argv;
  }

  private drained(): undefined {
    // release the read buffer once everything in it was consumed
    if (this.buf.length > 0) {
      this.buf = EMPTY;
      this.pos = 0;
    }
    return undefined;
  }

  private fail(msg: string): undefined {
    this.error = msg;
    this.buf = EMPTY;
    this.pos = 0;
    this.big = undefined;
    this.args = [];
    return undefined;
  }

  /** Reads "*<n>\r\n". Returns false when incomplete or on error. */
  private parseMultibulkHeader(): boolean {
    const buf = this.buf;
    const cr = findCR(buf, this.pos);
    if (cr === -1 || cr + 1 >= buf.length) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.fail(PROTOCOL_ERRORS.tooBigMbulkCount);
      return false;
    }
    const n = parseLength(buf, this.pos + 1, cr);
    if (n === undefined || n > MAX_MULTIBULK_LEN) {
      this.fail(PROTOCOL_ERRORS.invalidMultibulkLength);
      return false;
    }
    if (n > UNAUTH_MAX_MULTIBULK_LEN && this.limits.unauthenticated) {
      this.fail(PROTOCOL_ERRORS.unauthMultibulkLength);
      return false;
    }
    this.pos = cr + 2;
    if (n <= 0) return true;
    this.multibulkLen = n;
    this.bulkLen = -1;
    this.args = [];
    return true;
  }

  /** Reads the bulks of the current multibulk; returns argv when all arrived. */
  private parseBulks(): Buffer[] | undefined {
    while (this.multibulkLen > 0) {
      if (this.big) {
        if (this.bigFilled < this.big.length) return undefined;
        // the preallocated buffer holds payload + CRLF
        this.args.push(this.big.subarray(0, this.big.length - 2));
        this.big = undefined;
        this.bigFilled = 0;
        this.bulkLen = -1;
        this.multibulkLen--;
        continue;
      }
      const buf = this.buf;
      if (this.bulkLen === -1) {
        const cr = findCR(buf, this.pos);
        if (cr === -1 || cr + 1 >= buf.length) {
          if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail(PROTOCOL_ERRORS.tooBigBulkCount);
          return undefined;
        }
        if (buf[this.pos] !== 0x24 /* $ */) return this.fail(PROTOCOL_ERRORS.expectedDollar(buf[this.pos]!));
        const n = parseLength(buf, this.pos + 1, cr);
        if (n === undefined || n < 0 || n > this.limits.maxBulkLen) return this.fail(PROTOCOL_ERRORS.invalidBulkLength);
        if (n > UNAUTH_MAX_BULK_LEN && this.limits.unauthenticated) return this.fail(PROTOCOL_ERRORS.unauthBulkLength);
        this.pos = cr + 2;
        this.bulkLen = n;
        if (n >= BIG_ARG && buf.length - this.pos < n + 2) {
          // Receive the rest straight into a buffer of the final size.
          const big = Buffer.allocUnsafe(n + 2);
          const have = buf.length - this.pos;
          buf.copy(big, 0, this.pos);
          this.big = big;
          this.bigFilled = have;
          this.buf = EMPTY;
          this.pos = 0;
          continue;
        }
      }
      const n = this.bulkLen;
      if (this.buf.length - this.pos < n + 2) return undefined;
      const arg = Buffer.allocUnsafe(n);
      const src = this.buf;
      if (n <= 16) {
        // a byte loop beats Buffer#copy's call overhead for short arguments (keys, small values)
        for (let i = 0, p = this.pos; i < n; i++, p++) arg[i] = src[p]!;
      } else {
        src.copy(arg, 0, this.pos, this.pos + n);
      }
      this.args.push(arg);
      // like Redis, the two bytes after the payload are skipped without being checked
      this.pos += n + 2;
      this.bulkLen = -1;
      this.multibulkLen--;
    }
    const argv = this.args;
    this.args = [];
    return argv;
  }

  /** Reads one inline command line; [] for a blank line, undefined when incomplete or on error. */
  private parseInline(): Buffer[] | undefined {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail(PROTOCOL_ERRORS.tooBigInline);
      return undefined;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const argv = splitInlineArgs(buf, this.pos, end);
    if (argv === undefined) return this.fail(PROTOCOL_ERRORS.unbalancedQuotes);
    this.pos = nl + 1;
    return argv;
  }
}

/**
 * Index of the first CR at or after `from`, or -1. Header lines are a few bytes long, where a byte loop beats
 * Buffer#indexOf's call overhead; the scan stops after PROTO_INLINE_MAX_SIZE + 1 bytes, past which the caller
 * reports a too-long line anyway.
 */
function findCR(buf: Buffer, from: number): number {
  const end = Math.min(buf.length, from + PROTO_INLINE_MAX_SIZE + 1);
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return end === buf.length ? -1 : buf.indexOf(CR, end);
}

/** string2ll over buf[start..end): optional '-', digits, no leading zeros/spaces/'+'. */
function parseLength(buf: Buffer, start: number, end: number): number | undefined {
  const len = end - start;
  if (len <= 0 || len > 20) return undefined;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  if (buf[i] === 0x30) return i + 1 === end && !neg ? 0 : undefined;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  // Beyond 2^53 precision is lost, but every such value is far over any limit anyway.
  return neg ? -v : v;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const hexVal = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/**
 * Redis's sdssplitargs: whitespace-separated arguments; "double quotes" with \n \r \t \b \a \\ \" \xHH escapes;
 * 'single quotes' with only \' ; a closing quote must be followed by a space or the end of the line.
 * Returns undefined for unbalanced quotes.
 */
export function splitInlineArgs(buf: Buffer, start: number, end: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p]!)) p++;
    if (p >= end) return out;
    const cur: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      if (inq) {
        if (p >= end) return undefined;
        const c = buf[p]!;
        if (c === 0x5c && p + 3 < end && buf[p + 1] === 0x78 && isHex(buf[p + 2]!) && isHex(buf[p + 3]!)) {
          cur.push(hexVal(buf[p + 2]!) * 16 + hexVal(buf[p + 3]!));
          p += 3;
        } else if (c === 0x5c && p + 1 < end) {
          p++;
          const e = buf[p]!;
          cur.push(
            e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e /* \\ \" etc. */,
          );
        } else if (c === 0x22) {
          if (p + 1 < end && !isSpace(buf[p + 1]!)) return undefined;
          done = true;
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (p >= end) return undefined;
        const c = buf[p]!;
        if (c === 0x5c && p + 1 < end && buf[p + 1] === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === 0x27) {
          if (p + 1 < end && !isSpace(buf[p + 1]!)) return undefined;
          done = true;
        } else {
          cur.push(c);
        }
      } else {
        if (p >= end) break;
        const c = buf[p]!;
        if (isSpace(c)) {
          done = true;
        } else if (c === 0x22) {
          inq = true;
        } else if (c === 0x27) {
          insq = true;
        } else {
          cur.push(c);
        }
      }
      if (p < end) p++;
    }
    out.push(Buffer.from(cur));
  }
}
