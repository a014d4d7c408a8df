/**
 * Range replies (ZRANGE and its legacy forms) are encoded as RESP bytes straight from the sorted set's B+tree leaves
 * when they are written (KeyRangeReply, src/protocol/key-range.ts). These tests compare them byte for byte with redis-server's replies, over the
 * wire, for many random ranges: RESP2 and RESP3 connections, inside MULTI/EXEC, lex-mode sets (all scores equal)
 * and scored sets, members of every length class (empty, short, > 127 bytes so that the tree stores a multi-byte
 * length, > 255 bytes, binary), ranges that cross many leaves, in both directions.
 */
import net from 'node:net';
import { KeyRangeReply, ReplyBufferPool } from '../../src/engine/reply';
import { PackedBTree } from '../../src/engine/structures/packed-btree';
import { encodeReply } from '../../src/protocol/writer';
import { RespServer } from '../../src/server/server';
import { createEngine } from '../../src/service/create-engine';
import { Rng } from '../differential/random';
import { printable } from '../helpers/oracle';
import { describeWithTool, type RedisServerHandle, startRedisServer } from '../helpers/redis-server';

/** End of the RESP2/RESP3 reply starting at pos, or -1 when it is not complete yet. */
function replyEnd(b: Buffer, pos: number): number {
  if (pos >= b.length) return -1;
  const eol = b.indexOf('\r\n', pos, 'latin1');
  if (eol < 0) return -1;
  const t = String.fromCharCode(b[pos]!);
  const n = Number(b.toString('latin1', pos + 1, eol));
  let p = eol + 2;
  switch (t) {
    case '$':
    case '=':
    case '!':
      if (n < 0) return p;
      return b.length >= p + n + 2 ? p + n + 2 : -1;
    case '*':
    case '~':
    case '>':
    case '%': {
      if (n < 0) return p;
      const items = t === '%' ? n * 2 : n;
      for (let i = 0; i < items; i++) {
        p = replyEnd(b, p);
        if (p < 0) return -1;
      }
      return p;
    }
    default:
      return p;
  }
}

/** A raw connection: sends a batch of commands at once and resolves with the raw bytes of each reply. */
class RawConn {
  private buf = Buffer.alloc(0);
  private want = 0;
  private done: ((replies: Buffer[]) => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.check();
    });
  }

  static connect(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  send(cmds: readonly Buffer[][]): Promise<Buffer[]> {
    const parts: Buffer[] = [];
    for (const argv of cmds) {
      parts.push(Buffer.from(`*${argv.length}\r\n`));
      for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
    }
    return new Promise((resolve) => {
      this.want = cmds.length;
      this.done = resolve;
      this.socket.write(Buffer.concat(parts));
      this.check();
    });
  }

  /** complete replies of the current batch, moved out of buf as they arrive */
  private got: Buffer[] = [];

  private check(): void {
    if (this.done === undefined) return;
    let p = 0;
    while (this.got.length < this.want) {
      const e = replyEnd(this.buf, p);
      if (e < 0) break;
      this.got.push(this.buf.subarray(p, e));
      p = e;
    }
    this.buf = this.buf.subarray(p);
    if (this.got.length < this.want) return;
    const done = this.done;
    const replies = this.got;
    this.done = undefined;
    this.got = [];
    done(replies);
  }

  close(): void {
    this.socket.destroy();
  }
}

const B = (s: string | Buffer): Buffer => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'));

function randomMember(rng: Rng): Buffer {
  const kind = rng.int(0, 9);
  const len = kind === 0 ? 0 : kind <= 5 ? rng.int(1, 12) : kind <= 7 ? rng.int(13, 100) : rng.int(120, 300);
  const b = Buffer.alloc(len);
  // mostly a small alphabet (shared prefixes, like S3 keys), sometimes any byte
  const binary = rng.chance(0.2);
  for (let i = 0; i < len; i++) b[i] = binary ? rng.int(0, 255) : 0x61 + rng.int(0, 3);
  return b;
}

/** `count` distinct random members. */
function members(rng: Rng, count: number): Buffer[] {
  const seen = new Map<string, Buffer>();
  while (seen.size < count) {
    const m = randomMember(rng);
    seen.set(m.toString('latin1'), m);
  }
  return [...seen.values()];
}

function lexBound(rng: Rng, pool: readonly Buffer[]): Buffer {
  const r = rng.int(0, 9);
  if (r === 0) return B('-');
  if (r === 1) return B('+');
  const m = r <= 6 && pool.length > 0 ? rng.pick(pool) : randomMember(rng);
  return Buffer.concat([B(rng.chance(0.5) ? '[' : '('), m]);
}

function scoreBound(rng: Rng): Buffer {
  const r = rng.int(0, 9);
  if (r === 0) return B('-inf');
  if (r === 1) return B('+inf');
  const v = rng.int(-60, 60) / 4;
  return B(`${rng.chance(0.3) ? '(' : ''}${v}`);
}

function limit(rng: Rng, size: number): Buffer[] {
  if (rng.chance(0.3)) return [];
  const offset = rng.chance(0.1) ? rng.int(-2, 0) : rng.int(0, size + 5);
  const count = rng.chance(0.15) ? -1 : rng.pick([0, 1, 2, 10, 100, 1000, rng.int(0, size + 5)]);
  return [B('LIMIT'), B(String(offset)), B(String(count))];
}

/** A random range command on key `k` (lex ranges only when `lex`: undefined in Redis on mixed scores). */
function rangeCommand(rng: Rng, k: Buffer, size: number, pool: readonly Buffer[], lex: boolean): Buffer[] {
  const rank = (): Buffer => B(String(rng.chance(0.3) ? rng.int(-size - 5, -1) : rng.int(0, size + 5)));
  const ws = (): Buffer[] => (rng.chance(0.25) ? [B('WITHSCORES')] : []);
  for (;;) {
    switch (rng.int(0, 9)) {
      case 0:
        return [B('ZRANGE'), k, rank(), rank(), ...(rng.chance(0.3) ? [B('REV')] : []), ...ws()];
      case 1:
        return [B('ZREVRANGE'), k, rank(), rank(), ...ws()];
      case 2:
        return [B('ZRANGEBYSCORE'), k, scoreBound(rng), scoreBound(rng), ...ws(), ...limit(rng, size)];
      case 3:
        return [B('ZREVRANGEBYSCORE'), k, scoreBound(rng), scoreBound(rng), ...limit(rng, size), ...ws()];
      case 4: {
        const rev = rng.chance(0.4) ? [B('REV')] : [];
        return [B('ZRANGE'), k, scoreBound(rng), scoreBound(rng), B('BYSCORE'), ...rev, ...limit(rng, size), ...ws()];
      }
      case 5:
        if (!lex) continue;
        return [B('ZRANGEBYLEX'), k, lexBound(rng, pool), lexBound(rng, pool), ...limit(rng, size)];
      case 6:
        if (!lex) continue;
        return [B('ZREVRANGEBYLEX'), k, lexBound(rng, pool), lexBound(rng, pool), ...limit(rng, size)];
      case 7: {
        if (!lex) continue;
        const rev = rng.chance(0.5) ? [B('REV')] : [];
        return [B('ZRANGE'), k, lexBound(rng, pool), lexBound(rng, pool), B('BYLEX'), ...rev, ...limit(rng, size)];
      }
      case 8:
        // the whole set, in one reply that crosses every leaf
        return [B('ZRANGE'), k, B('0'), B('-1'), ...(rng.chance(0.5) ? [B('REV')] : [])];
      default:
        if (!lex) continue;
        return [
          B('ZRANGEBYLEX'),
          k,
          B('-'),
          B('+'),
          B('LIMIT'),
          B(String(rng.int(0, size))),
          B(String(rng.int(0, 1000))),
        ];
    }
  }
}

/** ZADD commands (in batches) that create the key; `scored` gives members varied scores (with ties). */
function loadCommands(rng: Rng, k: Buffer, ms: readonly Buffer[], scored: boolean): Buffer[][] {
  const cmds: Buffer[][] = [];
  for (let i = 0; i < ms.length; i += 500) {
    const argv = [B('ZADD'), k];
    for (const m of ms.slice(i, i + 500)) argv.push(B(scored ? String(rng.int(-50, 50) / 4) : '0'), m);
    cmds.push(argv);
  }
  return cmds;
}

function firstMismatch(cmds: Buffer[][], ours: Buffer[], theirs: Buffer[]): string | undefined {
  for (let i = 0; i < cmds.length; i++) {
    if (!ours[i]!.equals(theirs[i]!)) {
      const show = (b: Buffer) => printable(b.subarray(0, 600));
      return `${cmds[i]!.map((a) => printable(a)).join(' ')}\n  ours:  ${show(ours[i]!)}\n  redis: ${show(theirs[i]!)}`;
    }
  }
  if (ours.length !== theirs.length) return `reply counts differ: ${ours.length} vs ${theirs.length}`;
  return undefined;
}

describeWithTool('redis-server')('range replies: pre-encoded bytes equal redis-server byte for byte', () => {
  let redis: RedisServerHandle;
  let server: RespServer;
  let port: number;
  const conns: RawConn[] = [];

  const pair = async (resp: 2 | 3): Promise<[RawConn, RawConn]> => {
    const a = await RawConn.connect(port);
    const b = await RawConn.connect(redis.port);
    conns.push(a, b);
    if (resp === 3) {
      const hello = [[B('HELLO'), B('3')]];
      await a.send(hello);
      await b.send(hello);
    }
    return [a, b];
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    server = new RespServer(createEngine(), { log: () => {} });
    port = await server.listen(0);
    const [ours, theirs] = await pair(2);
    const rng = new Rng(7);
    const load: Buffer[][] = [[B('FLUSHALL')]];
    for (const [name, n, scored] of [
      ['lex:big', 3000, false],
      ['lex:small', 7, false],
      ['scored:big', 3000, true],
      ['scored:small', 9, true],
    ] as const) {
      load.push(...loadCommands(rng, B(name), members(rng, n), scored));
    }
    const [a, b] = await Promise.all([ours.send(load), theirs.send(load)]);
    expect(firstMismatch(load, a, b)).toBeUndefined();
  });

  afterAll(async () => {
    for (const c of conns) c.close();
    server?.close();
    await redis?.stop();
  });

  async function compareRandom(resp: 2 | 3, seed: number, multi: boolean): Promise<void> {
    const [ours, theirs] = await pair(resp);
    const rng = new Rng(seed);
    // the members themselves, as bound material
    const pools = new Map<string, Buffer[]>();
    for (const k of ['lex:big', 'lex:small', 'scored:big', 'scored:small']) {
      const [r] = await theirs.send([[B('ZRANGE'), B(k), B('0'), B('-1')]]);
      const items: Buffer[] = [];
      const raw = r!;
      let p = raw.indexOf('\r\n') + 2;
      while (p < raw.length) {
        const eol = raw.indexOf('\r\n', p);
        const len = Number(raw.toString('latin1', p + 1, eol));
        items.push(raw.subarray(eol + 2, eol + 2 + len));
        p = eol + 2 + len + 2;
      }
      pools.set(k, items);
    }
    for (let batch = 0; batch < 8; batch++) {
      const cmds: Buffer[][] = [];
      if (multi) cmds.push([B('MULTI')]);
      for (let i = 0; i < (multi ? 15 : 40); i++) {
        const k = rng.pick(['lex:big', 'lex:small', 'scored:big', 'scored:small', 'missing']);
        const pool = pools.get(k) ?? [];
        cmds.push(rangeCommand(rng, B(k), pool.length, pool, k.startsWith('lex') || k === 'missing'));
      }
      if (multi) cmds.push([B('EXEC')]);
      const [a, b] = await Promise.all([ours.send(cmds), theirs.send(cmds)]);
      const m = firstMismatch(cmds, a, b);
      if (m) throw new Error(`RESP${resp} seed ${seed} batch ${batch}: ${m}`);
    }
  }

  it.each([1, 2, 3])('RESP2, seed %i: 320 random range commands', (seed) => compareRandom(2, seed, false));
  it.each([4, 5])('RESP3, seed %i: 320 random range commands', (seed) => compareRandom(3, seed, false));
  it.each([6, 7])('RESP2 inside MULTI/EXEC, seed %i: 8 transactions of 15 range commands', (seed) =>
    compareRandom(2, seed, true),
  );
  it.each([8, 9])('RESP3 inside MULTI/EXEC, seed %i: 8 transactions of 15 range commands', (seed) =>
    compareRandom(3, seed, true),
  );
});

describe('KeyRangeReply', () => {
  const items = [Buffer.alloc(0), B('a'), Buffer.alloc(200, 0x7a), Buffer.from([0, 13, 10, 255])];
  const sorted = items.slice().sort(Buffer.compare);
  const bytes = Buffer.concat([
    B(`*${sorted.length}\r\n`),
    ...sorted.flatMap((m) => [B(`$${m.length}\r\n`), m, B('\r\n')]),
  ]);
  const tree = (): PackedBTree => {
    const t = new PackedBTree();
    for (const m of items) t.set(m);
    return t;
  };

  it('is an array reply of the range, encoded as those bytes in RESP2 and RESP3, its items decoded from them', () => {
    const t = tree();
    const r = new KeyRangeReply(t.keyRange(0, items.length, 0, false));
    expect(r.t).toBe('array');
    expect(encodeReply(r, 2).equals(bytes)).toBe(true);
    expect(encodeReply(r, 3).equals(bytes)).toBe(true);
    expect(r.packed?.equals(bytes)).toBe(true);
    expect(r.v.map((x) => (x.t === 'bulk' ? x.v.toString('hex') : x.t))).toEqual(sorted.map((m) => m.toString('hex')));
    // nested (an EXEC reply) and as a plain array of bulks
    const again = new KeyRangeReply(t.keyRange(0, items.length, 0, false));
    expect(encodeReply({ t: 'array', v: [again] }, 3).equals(Buffer.concat([B('*1\r\n'), bytes]))).toBe(true);
    expect(encodeReply({ t: 'array', v: r.v }, 2).equals(bytes)).toBe(true);
  });

  it('is the range as it was when made, when the tree changes before it is written or read', () => {
    const t = tree();
    const written = new KeyRangeReply(t.keyRange(0, items.length, 0, false));
    const read = new KeyRangeReply(t.keyRange(0, items.length, 0, false));
    t.delete(B('a'));
    t.set(B('b'));
    t.checkInvariants();
    expect(encodeReply(written, 2).equals(bytes)).toBe(true);
    expect(read.v.map((x) => (x.t === 'bulk' ? x.v.toString('hex') : x.t))).toEqual(
      sorted.map((m) => m.toString('hex')),
    );
  });

  it('rejects malformed bytes when decoded', () => {
    const r = new KeyRangeReply(tree().keyRange(0, 1, 0, false));
    r.packed = B('*2\r\n$1\r\na\r\n');
    expect(() => r.v).toThrow('malformed');
  });
});

describe('ReplyBufferPool', () => {
  it('reuses memory given back, accepts each buffer once, and ignores what it did not hand out', () => {
    const pool = new ReplyBufferPool(1024, 8192, 4 * 8192);
    const a = pool.alloc(1500);
    expect(a.length).toBe(1500);
    expect(a.buffer.byteLength).toBe(2048);
    pool.give(a);
    pool.give(a); // twice: the second is ignored
    expect(pool.pooledBytes).toBe(2048);
    const b = pool.alloc(2000);
    expect(b.buffer).toBe(a.buffer);
    const c = pool.alloc(2000);
    expect(c.buffer).not.toBe(b.buffer);
    expect(pool.pooledBytes).toBe(0);
    // outside the pooled range: plain Buffers, never taken back
    const small = pool.alloc(10);
    const big = pool.alloc(10_000);
    pool.give(small);
    pool.give(big);
    pool.give(Buffer.alloc(2048));
    expect(pool.pooledBytes).toBe(0);
    // the free lists stay within their byte bound
    const many = Array.from({ length: 6 }, () => pool.alloc(8000));
    for (const m of many) pool.give(m);
    expect(pool.pooledBytes).toBe(4 * 8192);
  });
});

describeWithTool('redis-server')('range replies to a slow reader and a fast one at once (reused reply memory)', () => {
  it('every reply is intact while another connection does not read', async () => {
    const server = new RespServer(createEngine(), { log: () => {} });
    const port = await server.listen(0);
    const slow = await RawConn.connect(port);
    const fast = await RawConn.connect(port);
    try {
      const rng = new Rng(21);
      const ms = members(rng, 4000).map((m) => Buffer.concat([m, B('-pad-to-make-replies-large')]));
      await fast.send(loadCommands(rng, B('z'), ms, false));
      const [all] = await fast.send([[B('ZRANGE'), B('z'), B('0'), B('-1')]]);
      // what each page must be, cut from the whole set's reply
      const sorted: Buffer[] = [];
      let p = all!.indexOf('\r\n') + 2;
      while (p < all!.length) {
        const eol = all!.indexOf('\r\n', p);
        const len = Number(all!.toString('latin1', p + 1, eol));
        sorted.push(all!.subarray(eol + 2, eol + 2 + len));
        p = eol + 2 + len + 2;
      }
      const page = (offset: number, count: number): Buffer => {
        const items = sorted.slice(offset, offset + count);
        return Buffer.concat([
          B(`*${items.length}\r\n`),
          ...items.flatMap((m) => [B(`$${m.length}\r\n`), m, B('\r\n')]),
        ]);
      };
      const cmd = (o: number, n: number) => [
        B('ZRANGEBYLEX'),
        B('z'),
        B('-'),
        B('+'),
        B('LIMIT'),
        B(String(o)),
        B(String(n)),
      ];
      // the slow side's replies pile up in its socket (partial writes: its memory must not be reused)
      slow.socket.pause();
      const slowCmds = Array.from({ length: 60 }, (_, i) => cmd(i * 50, 1000));
      const slowDone = slow.send(slowCmds);
      for (let round = 0; round < 20; round++) {
        const cmds = Array.from({ length: 10 }, () => cmd(rng.int(0, 3500), rng.pick([10, 300, 1000])));
        const got = await fast.send(cmds);
        for (const [i, g] of got.entries()) expect(g.equals(page(Number(cmds[i]![5]), Number(cmds[i]![6])))).toBe(true);
      }
      slow.socket.resume();
      const got = await slowDone;
      for (const [i, g] of got.entries()) expect(g.equals(page(i * 50, 1000))).toBe(true);
    } finally {
      slow.close();
      fast.close();
      server.close();
    }
  });
});
