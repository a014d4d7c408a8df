/**
 * A small RESP2/RESP3 reply decoder for tests: turns server bytes into plain values
 * (simple/bulk/verbatim → string, error → { error }, null → null, map → array of [k, v], push → { push: [...] }).
 */
export type Decoded = string | number | bigint | boolean | null | { error: string } | { push: Decoded[] } | Decoded[];

export class RespReader {
  private buf: Buffer = Buffer.alloc(0);

  feed(b: Buffer): void {
    this.buf = this.buf.length === 0 ? b : Buffer.concat([this.buf, b]);
  }

  /** All complete replies buffered so far. */
  drain(): Decoded[] {
    const out: Decoded[] = [];
    for (;;) {
      const r = this.read(0);
      if (r === undefined) break;
      out.push(r.v);
      this.buf = this.buf.subarray(r.end);
    }
    return out;
  }

  private line(at: number): { s: string; end: number } | undefined {
    const cr = this.buf.indexOf('\r\n', at);
    if (cr === -1) return undefined;
    return { s: this.buf.toString('utf8', at + 1, cr), end: cr + 2 };
  }

  private read(at: number): { v: Decoded; end: number } | undefined {
    if (at >= this.buf.length) return undefined;
    const t = String.fromCharCode(this.buf[at]!);
    const l = this.line(at);
    if (!l) return undefined;
    switch (t) {
      case '+':
        return { v: l.s, end: l.end };
      case '-':
        return { v: { error: l.s }, end: l.end };
      case ':':
        return { v: Number(l.s), end: l.end };
      case ',':
        return { v: l.s === 'inf' ? Infinity : l.s === '-inf' ? -Infinity : Number(l.s), end: l.end };
      case '#':
        return { v: l.s === 't', end: l.end };
      case '_':
        return { v: null, end: l.end };
      case '$':
      case '=': {
        const n = Number(l.s);
        if (n < 0) return { v: null, end: l.end };
        if (this.buf.length < l.end + n + 2) return undefined;
        let s = this.buf.toString('utf8', l.end, l.end + n);
        if (t === '=') s = s.slice(4);
        return { v: s, end: l.end + n + 2 };
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        const n = Number(l.s);
        if (n < 0) return { v: null, end: l.end };
        const count = t === '%' ? n * 2 : n;
        const items: Decoded[] = [];
        let end = l.end;
        for (let i = 0; i < count; i++) {
          const r = this.read(end);
          if (!r) return undefined;
          items.push(r.v);
          end = r.end;
        }
        if (t === '%') {
          const pairs: Decoded[] = [];
          for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
          return { v: pairs, end };
        }
        return { v: t === '>' ? { push: items } : items, end };
      }
      default:
        throw new Error(`bad reply type ${JSON.stringify(t)}`);
    }
  }
}
