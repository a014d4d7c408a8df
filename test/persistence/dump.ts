/**
 * A canonical, comparable picture of an engine's data (every database, key, type, expiry and element, with sorted-set
 * payloads and weights), for tests that check a snapshot or a log replay reproduces a state exactly.
 */
import type { Engine } from '../../src/engine/engine';
import type { Keyspace } from '../../src/engine/keyspace';

export type DumpedValue =
  | { type: 'string'; v: string }
  | { type: 'hash'; v: Array<[string, string]> }
  | { type: 'set'; v: string[] }
  | { type: 'list'; v: string[] }
  | { type: 'zset'; v: Array<[string, number, string | null, number]> };

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const latin1Hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

export function dumpDb(db: Keyspace): Record<string, { expire: number | null; value: DumpedValue }> {
  const out: Record<string, { expire: number | null; value: DumpedValue }> = {};
  for (const key of [...db.data.keys()].sort((a, b) =>
    Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')),
  )) {
    const v = db.data.get(key)!;
    let value: DumpedValue;
    switch (v.type) {
      case 'string':
        value = { type: 'string', v: hex(v.v) };
        break;
      case 'hash':
        // iteration order is part of the state (the index's tombstone hash relies on it)
        value = { type: 'hash', v: [...v.v].map(([f, x]) => [latin1Hex(f), hex(x)]) };
        break;
      case 'set':
        value = { type: 'set', v: [...v.v].map(latin1Hex).sort() };
        break;
      case 'list':
        value = { type: 'list', v: v.v.map(hex) };
        break;
      case 'zset':
        value = {
          type: 'zset',
          v: [...v.v.entries()].map((e) => [hex(e.member), e.score, e.payload ? hex(e.payload) : null, e.weight ?? 0]),
        };
        break;
    }
    out[latin1Hex(key)] = { expire: db.expires.get(key) ?? null, value };
  }
  return out;
}

export function dumpEngine(engine: Engine): Array<ReturnType<typeof dumpDb>> {
  return engine.dbs.map(dumpDb);
}
