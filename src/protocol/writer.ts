/**
 * Reply → RESP2 / RESP3 bytes, written into a reusable slab so that a whole read batch of replies becomes one
 * (or a few) socket writes without per-reply Buffer allocation or Buffer.concat.
 *
 * The slab is never overwritten once a region was handed out by `take()`: new replies are appended after it, and
 * a fresh slab is allocated when the current one is full (the socket may still be holding the old regions).
 * Large bulk payloads are not copied: they become chunks of their own.
 *
 * RESP2 renders the RESP3-only types the way Redis does for a RESP2 client: map → flat array, set → array,
 * double → bulk string, bool → :1/:0, null → $-1 (nullarray → *-1), verbatim → bulk string, push → array.
 */
import { formatDouble } from '../engine/numbers';
import { KeyRangeReply, type Reply, replyBuffers } from '../engine/reply';
import { keyRangeRoom, writeKeyRange } from './key-range';

export type RespVersion = 2 | 3;

const SLAB_SIZE = 64 * 1024;
/** bulk payloads at least this big are referenced instead of copied */
const ZERO_COPY_MIN = 16 * 1024;

export class ReplyWriter {
  private slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  /** start of the bytes not yet taken */
  private start = 0;
  private off = 0;
  /** finished chunks (earlier slab regions and zero-copy payloads) waiting to be taken */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.chunkBytes + (this.off - this.start);
  }

  /** Hands out everything written so far, as a list of buffers (usually one). */
  take(): Buffer[] {
    const out = this.chunks;
    if (this.off > this.start) out.push(this.slab.subarray(this.start, this.off));
    this.chunks = [];
    this.chunkBytes = 0;
    this.start = this.off;
    if (SLAB_SIZE - this.off < 1024) this.newSlab(SLAB_SIZE);
    return out;
  }

  /**
   * Writes over the slab from its start again. Only for a caller that knows every part handed out by take() has been
   * consumed (the socket took them all synchronously): no new slab is then needed while replies keep fitting.
   */
  recycle(): void {
    if (this.chunks.length === 0 && this.off === this.start) {
      this.start = 0;
      this.off = 0;
    }
  }

  write(r: Reply, resp: RespVersion): void {
    switch (r.t) {
      case 'simple':
        this.line(0x2b, r.v);
        return;
      case 'error':
        this.line(0x2d, r.v.includes('\n') || r.v.includes('\r') ? r.v.replace(/[\r\n]+/g, ' ') : r.v);
        return;
      case 'int':
        this.integer(0x3a, r.v);
        return;
      case 'bulk':
        this.bulk(r.v);
        return;
      case 'null':
        if (resp === 3) this.raw3(0x5f, 0x0d, 0x0a);
        else this.raw5(0x24);
        return;
      case 'nullarray':
        if (resp === 3) this.raw3(0x5f, 0x0d, 0x0a);
        else this.raw5(0x2a);
        return;
      case 'array': {
        // pre-encoded arrays of bulks: the bytes as they are
        if (r.packed !== undefined) {
          this.bytes(r.packed);
          return;
        }
        // range replies: encoded straight from the tree's leaves (key-range.ts)
        if (r instanceof KeyRangeReply) {
          this.keyRange(r);
          return;
        }
        const items = r.v;
        this.integer(0x2a, items.length);
        for (let i = 0; i < items.length; i++) {
          const x = items[i]!;
          // arrays of bulks (ranges, MGET) skip the dispatch
          if (x.t === 'bulk') this.bulk(x.v);
          else this.write(x, resp);
        }
        return;
      }
      case 'set':
        this.integer(resp === 3 ? 0x7e : 0x2a, r.v.length);
        for (const x of r.v) this.write(x, resp);
        return;
      case 'push':
        this.integer(resp === 3 ? 0x3e : 0x2a, r.v.length);
        for (const x of r.v) this.write(x, resp);
        return;
      case 'map':
        if (resp === 3) this.integer(0x25, r.v.length);
        else this.integer(0x2a, r.v.length * 2);
        for (const [k, v] of r.v) {
          this.write(k, resp);
          this.write(v, resp);
        }
        return;
      case 'double':
        if (resp === 3) this.line(0x2c, r.text ?? formatDouble(r.v));
        else this.bulkString(r.text ?? formatDouble(r.v));
        return;
      case 'bool':
        if (resp === 3) this.raw3(0x23, r.v ? 0x74 : 0x66, 0x0d, 0x0a);
        else this.raw3(0x3a, r.v ? 0x31 : 0x30, 0x0d, 0x0a);
        return;
      case 'verbatim':
        if (resp === 3) {
          const body = Buffer.from(`${r.format.padEnd(3, ' ').slice(0, 3)}:${r.v}`, 'utf8');
          this.integer(0x3d, body.length);
          this.bytes(body);
          this.crlf();
        } else {
          this.bulkString(r.v);
        }
        return;
    }
  }

  /** Writes a bulk string from bytes. */
  bulk(v: Buffer): void {
    const n = v.length;
    if (n >= ZERO_COPY_MIN) {
      this.integer(0x24, n);
      this.bytes(v);
      this.crlf();
      return;
    }
    // header, payload and CRLF in one reserved stretch of the slab
    this.ensure(n + 16);
    const s = this.slab;
    let o = this.off;
    s[o++] = 0x24;
    if (n < 10) {
      s[o++] = 0x30 + n;
    } else {
      const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
      let t = n;
      for (let p = o + digits - 1; p >= o; p--) {
        const q = (t / 10) | 0;
        s[p] = 0x30 + t - q * 10;
        t = q;
      }
      o += digits;
    }
    s[o++] = 0x0d;
    s[o++] = 0x0a;
    if (n <= 16) {
      for (let i = 0; i < n; i++, o++) s[o] = v[i]!;
    } else {
      v.copy(s, o);
      o += n;
    }
    s[o++] = 0x0d;
    s[o++] = 0x0a;
    this.off = o;
  }

  /**
   * A key range reply, on its first write (key-range.ts), which releases its range; `packed` then holds its bytes. A
   * short one is written straight into the slab (`packed` is a view on it, valid as long as the bytes handed out);
   * a long one into memory of its own from replyBuffers, which goes out without a copy and which the RESP connection
   * gives back once the socket took it.
   */
  private keyRange(r: KeyRangeReply): void {
    const range = r.keys;
    const { bound, room } = keyRangeRoom(range);
    if (room < ZERO_COPY_MIN) {
      this.ensure(room);
      const at = this.off;
      this.off = writeKeyRange(range, this.slab, at, bound);
      r.packed = this.slab.subarray(at, this.off);
    } else {
      const out = replyBuffers.alloc(room);
      const end = writeKeyRange(range, out, 0, bound);
      r.packed = end === out.length ? out : out.subarray(0, end);
      this.bytes(r.packed);
    }
    range.release();
  }

  /** Writes pre-encoded protocol bytes. */
  rawBytes(b: Buffer): void {
    this.bytes(b);
  }

  private bulkString(s: string): void {
    this.bulk(Buffer.from(s, 'utf8'));
  }

  private ensure(n: number): void {
    if (SLAB_SIZE - this.off >= n) return;
    if (this.off > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.off));
      this.chunkBytes += this.off - this.start;
    }
    this.newSlab(Math.max(SLAB_SIZE, n));
  }

  private newSlab(size: number): void {
    this.slab = Buffer.allocUnsafe(size);
    this.start = 0;
    this.off = 0;
  }

  private raw3(a: number, b: number, c: number, d?: number): void {
    this.ensure(4);
    const s = this.slab;
    s[this.off++] = a;
    s[this.off++] = b;
    s[this.off++] = c;
    if (d !== undefined) s[this.off++] = d;
  }

  /** RESP2 null: <type>-1\r\n */
  private raw5(type: number): void {
    this.ensure(5);
    const s = this.slab;
    s[this.off++] = type;
    s[this.off++] = 0x2d;
    s[this.off++] = 0x31;
    s[this.off++] = 0x0d;
    s[this.off++] = 0x0a;
  }

  private crlf(): void {
    this.ensure(2);
    this.slab[this.off++] = 0x0d;
    this.slab[this.off++] = 0x0a;
  }

  /** <type><string>\r\n for simple strings, errors and RESP3 doubles (UTF-8, may be any length). */
  private line(type: number, s: string): void {
    const max = s.length * 3 + 3;
    this.ensure(max);
    const slab = this.slab;
    slab[this.off++] = type;
    if (s.length <= 32) {
      // short ASCII strings (OK, QUEUED, PONG, error codes) are written byte by byte
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        slab[this.off + i] = c;
      }
      if (i === s.length) {
        this.off += i;
        this.crlf();
        return;
      }
    }
    this.off += slab.write(s, this.off, 'utf8');
    this.crlf();
  }

  /** <type><integer>\r\n, the integer written digit by digit when it is a safe integer. */
  private integer(type: number, v: number | bigint): void {
    this.ensure(24);
    const s = this.slab;
    s[this.off++] = type;
    if (typeof v === 'bigint') {
      this.off += s.write(v.toString(), this.off, 'latin1');
    } else if (v >= 0 && v < 10) {
      s[this.off++] = 0x30 + v;
    } else if (v > 0 && v < 0x80000000 && (v | 0) === v) {
      // small integer arithmetic: count the digits, then write them backwards
      let digits = 1;
      for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
      let p = this.off + digits - 1;
      let t = v;
      do {
        const q = (t / 10) | 0;
        s[p--] = 0x30 + t - q * 10;
        t = q;
      } while (t !== 0);
      this.off += digits;
    } else if (Number.isSafeInteger(v) && v > 0) {
      let digits = 1;
      for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
      let p = this.off + digits - 1;
      for (let t = v; ; ) {
        s[p--] = 0x30 + (t % 10);
        t = Math.floor(t / 10);
        if (t === 0) break;
      }
      this.off += digits;
    } else {
      this.off += s.write(Number.isInteger(v) ? String(v) : String(Math.trunc(v)), this.off, 'latin1');
    }
    s[this.off++] = 0x0d;
    s[this.off++] = 0x0a;
  }

  private bytes(b: Buffer): void {
    if (b.length >= ZERO_COPY_MIN) {
      if (this.off > this.start) {
        this.chunks.push(this.slab.subarray(this.start, this.off));
        this.chunkBytes += this.off - this.start;
        this.start = this.off;
      }
      this.chunks.push(b);
      this.chunkBytes += b.length;
      return;
    }
    const n = b.length;
    this.ensure(n);
    if (n <= 16) {
      // a byte loop beats Buffer#copy's call overhead for short values
      const s = this.slab;
      for (let i = 0, o = this.off; i < n; i++, o++) s[o] = b[i]!;
    } else {
      b.copy(this.slab, this.off);
    }
    this.off += n;
  }
}

/** Encodes one reply on its own (tests, HTTP front ends); the server uses a ReplyWriter per connection. */
export function encodeReply(r: Reply, resp: RespVersion = 2): Buffer {
  const w = new ReplyWriter();
  w.write(r, resp);
  const parts = w.take();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Encodes a command as a RESP multibulk (what clients send). */
export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}
