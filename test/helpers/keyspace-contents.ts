/**
 * What a key holds, in a form two servers' answers can be compared in: the engine's replies and ioredis's
 * (callBuffer) both as Bulk values; SMEMBERS and HGETALL sorted by bytes, scores as numbers. Used by the RDB tests,
 * which compare an engine with a redis-server value by value.
 */
import type { Engine } from '../../src/engine/engine';
import type { Reply } from '../../src/engine/reply';

export type Bulk = Buffer | number | null | string | Bulk[];

export function toBulk(r: Reply): Bulk {
  switch (r.t) {
    case 'bulk':
      return r.v;
    case 'simple':
      return r.v;
    case 'int':
      return Number(r.v);
    case 'null':
    case 'nullarray':
      return null;
    case 'array':
    case 'set':
      return r.v.map(toBulk);
    case 'double':
      return Buffer.from(
        r.v === Infinity ? 'inf' : r.v === -Infinity ? '-inf' : Object.is(r.v, -0) ? '-0' : String(r.v),
      );
    case 'map':
      return r.v.flatMap(([k, v]) => [toBulk(k), toBulk(v)]);
    default:
      throw new Error(`unexpected reply ${r.t}`);
  }
}

export function ioToBulk(x: unknown): Bulk {
  if (Array.isArray(x)) return x.map(ioToBulk);
  if (Buffer.isBuffer(x) || x === null || typeof x === 'number') return x as Bulk;
  if (typeof x === 'string') return x;
  throw new Error(`unexpected ioredis reply ${String(x)}`);
}

/** Everything `key` holds, as comparable values (SMEMBERS and HGETALL in byte order). */
export async function contents(type: string, key: Buffer, run: (...args: (string | Buffer)[]) => Promise<Bulk>) {
  switch (type) {
    case 'string':
      return run('GET', key);
    case 'list':
      return run('LRANGE', key, '0', '-1');
    case 'set':
      return ((await run('SMEMBERS', key)) as Buffer[]).sort(Buffer.compare);
    case 'hash': {
      const flat = (await run('HGETALL', key)) as Buffer[];
      const pairs: [Buffer, Buffer][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      return pairs.sort((x, y) => Buffer.compare(x[0], y[0]));
    }
    case 'zset': {
      const flat = ((await run('ZRANGE', key, '0', '-1', 'WITHSCORES')) as Bulk[]).flat() as Buffer[];
      const out: [Buffer, number][] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const s = flat[i + 1]!.toString();
        out.push([flat[i]!, s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s)]);
      }
      return out;
    }
    default:
      throw new Error(`type ${type}`);
  }
}

/** Runs `argv` on `engine` in database `db`; throws on an error reply. */
export function exec(engine: Engine, db: number, ...argv: (string | Buffer)[]): Reply {
  const r = engine.execute(
    argv.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'utf8'))),
    { id: 0, db, resp: 2 },
  );
  if (r.t === 'error') throw new Error(`${argv.map(String).join(' ')}: ${r.v}`);
  return r;
}

/** The engine's answers in database `db`, as `contents` asks for them. */
export const engineRunner =
  (engine: Engine, db: number) =>
  async (...a: (string | Buffer)[]): Promise<Bulk> =>
    toBulk(exec(engine, db, ...a));
