import fc from 'fast-check';
import { PROTO_INLINE_MAX_SIZE, RespParser, splitInlineArgs } from '../../src/protocol/parser';
import { encodeCommand } from '../../src/protocol/writer';

const s = (b: Buffer[] | undefined) => b?.map((x) => x.toString('latin1'));

function parseAll(p: RespParser, data: Buffer): string[][] {
  p.feed(data);
  const out: string[][] = [];
  for (;;) {
    const argv = p.next();
    if (!argv) break;
    out.push(s(argv)!);
  }
  return out;
}

describe('RespParser: multibulk', () => {
  it('parses pipelined commands from one read', () => {
    const p = new RespParser();
    const data = Buffer.concat([encodeCommand(['SET', 'k', 'v']), encodeCommand(['GET', 'k']), encodeCommand([''])]);
    expect(parseAll(p, data)).toEqual([['SET', 'k', 'v'], ['GET', 'k'], ['']]);
    expect(p.bufferedBytes).toBe(0);
  });

  it('resumes a command split anywhere, including inside a bulk', () => {
    const p = new RespParser();
    expect(parseAll(p, Buffer.from('*2\r\n$4\r\nEC'))).toEqual([]);
    expect(parseAll(p, Buffer.from('HO\r\n$3\r\nab'))).toEqual([]);
    expect(parseAll(p, Buffer.from('c\r\n'))).toEqual([['ECHO', 'abc']]);
  });

  it('receives big bulks into a preallocated buffer', () => {
    const p = new RespParser();
    const big = Buffer.alloc(200_000, 'x');
    const data = encodeCommand([Buffer.from('SET'), Buffer.from('k'), big]);
    const out: Buffer[][] = [];
    for (let i = 0; i < data.length; i += 7000) {
      p.feed(data.subarray(i, i + 7000));
      for (let a = p.next(); a; a = p.next()) out.push(a);
    }
    expect(out).toHaveLength(1);
    expect(out[0]![2]!.equals(big)).toBe(true);
  });

  it('skips empty and negative multibulks like Redis', () => {
    expect(parseAll(new RespParser(), Buffer.from('*0\r\n*-1\r\nPING\r\n'))).toEqual([['PING']]);
  });

  it('does not check the two bytes after a bulk (Redis skips them)', () => {
    expect(parseAll(new RespParser(), Buffer.from('*1\r\n$4\r\npingXYping\r\n'))).toEqual([['ping'], ['ping']]);
  });

  it.each([
    ['*x\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2 \r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*3000000000\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2\r\nx\r\n', "ERR Protocol error: expected '$', got 'x'"],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$abc\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$600000000\r\n', 'ERR Protocol error: invalid bulk length'],
    ['set "a b"x c\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ['ping "\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ])('%j → %s', (input, message) => {
    const p = new RespParser();
    expect(parseAll(p, Buffer.from(input, 'latin1'))).toEqual([]);
    expect(p.error).toBe(message);
  });

  it('applies the unauthenticated limits', () => {
    const lim = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true };
    const p = new RespParser({ ...lim });
    parseAll(p, Buffer.from('*11\r\n'));
    expect(p.error).toBe('ERR Protocol error: unauthenticated multibulk length');
    const q = new RespParser({ ...lim });
    parseAll(q, Buffer.from('*1\r\n$20000\r\n'));
    expect(q.error).toBe('ERR Protocol error: unauthenticated bulk length');
  });

  it('honours proto-max-bulk-len', () => {
    const p = new RespParser({ maxBulkLen: 10, unauthenticated: false });
    parseAll(p, Buffer.from('*1\r\n$11\r\n'));
    expect(p.error).toBe('ERR Protocol error: invalid bulk length');
  });

  it('refuses over-long header lines and inline requests', () => {
    const long = Buffer.alloc(PROTO_INLINE_MAX_SIZE + 10, 'a');
    const p = new RespParser();
    parseAll(p, long);
    expect(p.error).toBe('ERR Protocol error: too big inline request');
    const q = new RespParser();
    parseAll(q, Buffer.concat([Buffer.from('*1'), long]));
    expect(q.error).toBe('ERR Protocol error: too big mbulk count string');
    const r = new RespParser();
    parseAll(r, Buffer.concat([Buffer.from('*1\r\n$1'), long]));
    expect(r.error).toBe('ERR Protocol error: too big bulk count string');
  });
});

describe('RespParser: inline commands', () => {
  it('splits on whitespace and accepts LF or CRLF; blank lines are ignored', () => {
    expect(parseAll(new RespParser(), Buffer.from('\r\n\nset  k   v\nget k\r\n'))).toEqual([
      ['set', 'k', 'v'],
      ['get', 'k'],
    ]);
  });

  it('follows sdssplitargs quoting', () => {
    const split = (x: string) => s(splitInlineArgs(Buffer.from(x, 'latin1'), 0, x.length));
    expect(split("echo \"a\\x41\\n\" 'b\\'c'")).toEqual(['echo', 'aA\n', "b'c"]);
    expect(split('"" \'\'')).toEqual(['', '']);
    expect(split('"\\t\\r\\b\\a\\\\\\"q"')).toEqual(['\t\r\b\x07\\"q']);
    expect(split('a"b"')).toEqual(['ab']);
    expect(split('"a"b')).toBeUndefined();
    expect(split("'a")).toBeUndefined();
  });
});

describe('RespParser: properties', () => {
  const arg = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
  const command = fc.array(arg, { minLength: 1, maxLength: 6 });

  it('parses any split of a valid stream identically', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (cmds, cuts) => {
          const stream = Buffer.concat(cmds.map((c) => encodeCommand(c)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const p = new RespParser();
          const got: Buffer[][] = [];
          let prev = 0;
          for (const at of [...points, stream.length]) {
            p.feed(stream.subarray(prev, at));
            for (let a = p.next(); a; a = p.next()) got.push(a);
            prev = at;
          }
          expect(p.error).toBeUndefined();
          expect(got.map((c) => c.map((x) => x.toString('hex')))).toEqual(
            cmds.map((c) => c.map((x) => x.toString('hex'))),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on garbage and keeps memory bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 30 }), (chunks) => {
        const p = new RespParser();
        for (const c of chunks) {
          p.feed(Buffer.from(c));
          for (let i = 0; i < 10_000 && p.next(); i++);
          // An incomplete header or inline line is refused past 64 KB; a bulk body is bounded by its declared size.
          expect(p.bufferedBytes).toBeLessThanOrEqual(PROTO_INLINE_MAX_SIZE + 2000 + 4);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated valid streams', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (cmds, at, byte) => {
          const stream = Buffer.from(Buffer.concat(cmds.map((c) => encodeCommand(c))));
          stream[at % stream.length] = byte;
          const p = new RespParser();
          p.feed(stream);
          for (let i = 0; i < 1000 && p.next(); i++);
        },
      ),
      { numRuns: 500 },
    );
  });
});
