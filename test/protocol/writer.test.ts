import {
  array,
  bool,
  bulkStr,
  double,
  error,
  int,
  map,
  NULL,
  NULL_ARRAY,
  push,
  set,
  simple,
  verbatim,
} from '../../src/engine/reply';
import { encodeReply, ReplyWriter } from '../../src/protocol/writer';

const enc2 = (r: Parameters<typeof encodeReply>[0]) => encodeReply(r, 2).toString('latin1');
const enc3 = (r: Parameters<typeof encodeReply>[0]) => encodeReply(r, 3).toString('latin1');

describe('ReplyWriter', () => {
  it('writes the RESP2 forms of every reply type', () => {
    expect(enc2(simple('OK'))).toBe('+OK\r\n');
    expect(enc2(error('ERR x'))).toBe('-ERR x\r\n');
    expect(enc2(int(0))).toBe(':0\r\n');
    expect(enc2(int(-12345))).toBe(':-12345\r\n');
    expect(enc2(int(9007199254740991))).toBe(':9007199254740991\r\n');
    expect(enc2({ t: 'int', v: 9223372036854775807n })).toBe(':9223372036854775807\r\n');
    expect(enc2(bulkStr('héllo'))).toBe('$6\r\nh\xc3\xa9llo\r\n');
    expect(enc2(NULL)).toBe('$-1\r\n');
    expect(enc2(NULL_ARRAY)).toBe('*-1\r\n');
    expect(enc2(array([int(1), bulkStr('a')]))).toBe('*2\r\n:1\r\n$1\r\na\r\n');
    expect(enc2(map([[bulkStr('k'), int(1)]]))).toBe('*2\r\n$1\r\nk\r\n:1\r\n');
    expect(enc2(set([bulkStr('m')]))).toBe('*1\r\n$1\r\nm\r\n');
    expect(enc2(double(1.5))).toBe('$3\r\n1.5\r\n');
    expect(enc2(double(Infinity))).toBe('$3\r\ninf\r\n');
    expect(enc2(bool(true))).toBe(':1\r\n');
    expect(enc2(bool(false))).toBe(':0\r\n');
    expect(enc2(verbatim('abc'))).toBe('$3\r\nabc\r\n');
    expect(enc2(push([bulkStr('message')]))).toBe('*1\r\n$7\r\nmessage\r\n');
  });

  it('writes the RESP3 forms', () => {
    expect(enc3(NULL)).toBe('_\r\n');
    expect(enc3(NULL_ARRAY)).toBe('_\r\n');
    expect(enc3(map([[bulkStr('k'), int(1)]]))).toBe('%1\r\n$1\r\nk\r\n:1\r\n');
    expect(enc3(set([int(1)]))).toBe('~1\r\n:1\r\n');
    expect(enc3(double(0.1))).toBe(',0.10000000000000001\r\n');
    expect(enc3(double(-Infinity))).toBe(',-inf\r\n');
    expect(enc3(bool(true))).toBe('#t\r\n');
    expect(enc3(verbatim('abc'))).toBe('=7\r\ntxt:abc\r\n');
    expect(enc3(push([int(1)]))).toBe('>1\r\n:1\r\n');
  });

  it('keeps an error on one line', () => {
    expect(enc2(error('ERR a\r\nb'))).toBe('-ERR a b\r\n');
  });

  it('batches many replies and large payloads without corrupting earlier output', () => {
    const w = new ReplyWriter();
    const big = Buffer.alloc(100_000, 'z');
    const taken: Buffer[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) w.write(int(i), 2);
      w.write({ t: 'bulk', v: big }, 2);
      taken.push(...w.take());
    }
    const all = Buffer.concat(taken).toString('latin1');
    const one = `${Array.from({ length: 5000 }, (_, i) => `:${i}\r\n`).join('')}$100000\r\n${'z'.repeat(100_000)}\r\n`;
    expect(all).toBe(one + one + one);
    expect(w.length).toBe(0);
  });
});
