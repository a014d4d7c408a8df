/**
 * Engine test harness that reads like a redis-cli session:
 *   const { exec } = engineHarness();  expect(exec('set', 'k', 'v')).toBe('OK');
 * Replies are turned into plain values: simple/bulk → string, int → number, null → null, array → array,
 * error → { error: 'ERR …' }, double → number, map → array of [k, v] pairs.
 */
import { ManualClock } from '../../src/engine/clock';
import type { Session } from '../../src/engine/command';
import { Engine, newSession } from '../../src/engine/engine';
import type { Reply } from '../../src/engine/reply';

export type Plain = string | number | bigint | boolean | null | { error: string } | Plain[];

export function plain(r: Reply): Plain {
  switch (r.t) {
    case 'simple':
      return r.v;
    case 'error':
      return { error: r.v };
    case 'int':
      return r.v;
    case 'bulk':
      return r.v.toString('utf8');
    case 'null':
    case 'nullarray':
      return null;
    case 'array':
    case 'set':
    case 'push':
      return r.v.map(plain);
    case 'map':
      return r.v.map(([k, v]) => [plain(k), plain(v)]);
    case 'double':
      return r.v;
    case 'bool':
      return r.v;
    case 'verbatim':
      return r.v;
  }
}

export interface EngineHarness {
  engine: Engine;
  clock: ManualClock;
  session: Session;
  /** executes and returns the plain reply */
  exec: (...args: Array<string | number | Buffer>) => Plain;
  /** executes and returns the raw typed reply */
  raw: (...args: Array<string | number | Buffer>) => Reply;
}

export function engineHarness(): EngineHarness {
  const clock = new ManualClock();
  const engine = new Engine({ clock });
  const session = newSession();
  const raw = (...args: Array<string | number | Buffer>): Reply =>
    engine.execute(
      args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8'))),
      session,
    );
  return { engine, clock, session, raw, exec: (...args) => plain(raw(...args)) };
}
